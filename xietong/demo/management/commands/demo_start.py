from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from xietong.demo.gateway import demo_gateway_register


class Command(BaseCommand):
    help = (
        "What ./xt demo does before serving, in one process (each Django start costs a "
        "second or more): migrate, seed the small demo province if the database has none, "
        "register the demo hospital gateway, print the logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("demo_seed", if_empty=True, scale="small", stdout=self.stdout)
        # The county hospital's gateway, its secret written to var/gateway/ only: `./xt demo`
        # runs it beside the server (manage demo_gateway).
        demo_gateway_register()
        call_command("demo_logins", host=options["host"], port=options["port"], stdout=self.stdout)
