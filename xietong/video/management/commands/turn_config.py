from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from xietong.video.turn_config import turn_config_write


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = "Writes Xietong's coturn configuration (from config/coturn/) for turnserver -c."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--folder", default=str(Path(settings.VAR_DIR) / "turn"))
        parser.add_argument("--port", type=int, default=3478)
        parser.add_argument("--realm", default="xietong")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            target = turn_config_write(
                folder=Path(options["folder"]), port=options["port"], realm=options["realm"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(target))
