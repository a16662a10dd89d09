from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from xietong.video.janus_config import JanusLayout, janus_config_write


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = "Writes Xietong's Janus configuration (from config/janus/) for janus --configs-folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--folder", default=str(Path(settings.VAR_DIR) / "janus" / "conf"))
        parser.add_argument("--port", type=int, default=8088)

    def handle(self, *args: Any, **options: Any) -> None:
        folder = janus_config_write(JanusLayout(Path(options["folder"]), http_port=options["port"]))
        self.stdout.write(str(folder))
