from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xietong.core.audit import audit_verify


class Command(BaseCommand):
    help = "Check the audit log's hash chains and name the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify()
        if not report.ok:
            raise CommandError(
                f"audit chain {report.chain} broken at link {report.broken_at}: {report.reason} "
                f"({report.checked} links verified before it)"
            )
        self.stdout.write(f"audit chain intact: {report.checked} links verified")
