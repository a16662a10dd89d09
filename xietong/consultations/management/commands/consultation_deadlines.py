from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xietong.consultations.deadlines import deadlines_check
from xietong.consultations.tasks import consultation_deadlines_task


class Command(BaseCommand):
    help = "Tell coordinators about consultation deadlines that near or have passed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the task for the workers instead of running it here.",
        )

    def handle(self, *args: Any, enqueue: bool = False, **options: Any) -> None:
        if enqueue:
            result = consultation_deadlines_task.enqueue()
            self.stdout.write(f"queued {result.id}")
            return
        self.stdout.write(f"{deadlines_check()} alerts sent")
