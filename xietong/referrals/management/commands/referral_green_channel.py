from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xietong.referrals.greenchannel import green_channel_check
from xietong.referrals.tasks import referral_green_channel_task


class Command(BaseCommand):
    help = "Alert coordinators about green-channel referrals not acknowledged in time."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the task for the workers instead of running it here.",
        )

    def handle(self, *args: Any, enqueue: bool = False, **options: Any) -> None:
        if enqueue:
            result = referral_green_channel_task.enqueue()
            self.stdout.write(f"queued {result.id}")
            return
        self.stdout.write(f"{green_channel_check()} alerts sent")
