from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xietong.core.audit import audit_verify
from xietong.core.audit_check import CHECKPOINT_FILE


class Command(BaseCommand):
    help = (
        "Check the audit log's hash chains against their head rows and the signed checkpoints, "
        "and name the first broken link."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify()
        if report.kind == CHECKPOINT_FILE:
            raise CommandError(f"audit checkpoint file: {report.reason}")
        if not report.ok:
            raise CommandError(
                f"audit chain {report.chain} broken at link {report.broken_at}: {report.reason} "
                f"({report.checked} links verified before it)"
            )
        self.stdout.write(f"audit chain intact: {report.checked} links verified")
