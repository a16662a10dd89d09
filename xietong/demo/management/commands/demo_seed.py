from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xietong.demo.plan import SCALES
from xietong.demo.seed import DEFAULT_SEED, DemoSeedError, demo_seed


class Command(BaseCommand):
    help = (
        "Generate the synthetic demo province (regions, institutions, experts, residents, logins)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the demo province is already in the database",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            seeded = demo_seed(
                seed=options["seed"],
                scale=options["scale"],
                if_empty=options["if_empty"],
                say=lambda message: self.stdout.write(message),
            )
        except DemoSeedError as exc:
            raise CommandError(str(exc)) from exc
        if seeded:
            self.stdout.write(self.style.SUCCESS(_("The demo province is ready.")))
