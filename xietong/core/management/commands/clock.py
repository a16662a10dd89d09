from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from xietong.core.clock import clock_tick, periodic_jobs


class Command(BaseCommand):
    help = "Queue the periodic jobs (deadline checks and the like) for the task workers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="queue what is due, then stop")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between ticks")

    def handle(self, *args: Any, once: bool = False, interval: float = 5.0, **opts: Any) -> None:
        last: dict[str, dt.datetime] = {}
        names = ", ".join(f"{j.name} (every {j.every})" for j in periodic_jobs())
        self.stdout.write(f"clock: {names or 'no periodic jobs'}")
        while True:
            try:
                for name in clock_tick(now=timezone.now(), last=last):
                    self.stdout.write(f"queued {name}")
            except Exception as exc:  # the database may be restarting: try again next tick
                self.stderr.write(f"clock: {exc}")
            close_old_connections()
            if once:
                return
            time.sleep(interval)
