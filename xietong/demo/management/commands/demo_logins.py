from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from xietong.demo.logins import DEMO_PASSWORD, demo_login_rows


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "Print where Xietong is served and the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        # Scripts look for this line, so it stays the same in every language.
        self.stdout.write(f"Xietong is at http://{options['host']}:{options['port']}/")
        rows = demo_login_rows()
        if not rows:
            self.stdout.write(_("There are no demo logins: run demo_seed first."))
            return
        header = (_("username"), _("role"), _("institution"))
        table = [header, *[(r.username, r.role, r.institution) for r in rows]]
        widths = [max(_width(row[i]) for row in table) for i in range(3)]
        self.stdout.write(
            _("Demo logins (password for all: %(password)s)") % {"password": DEMO_PASSWORD}
        )
        for i, row in enumerate(table):
            self.stdout.write(
                "  ".join(_pad(cell, widths[j]) for j, cell in enumerate(row)).rstrip()
            )
            if i == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
