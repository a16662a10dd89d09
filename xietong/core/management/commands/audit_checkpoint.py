from typing import Any

from django.core.management.base import BaseCommand

from xietong.core.audit_checkpoints import audit_checkpoint, checkpoint_path


class Command(BaseCommand):
    help = "Append a signed checkpoint of every audit chain head that moved to the checkpoint file."

    def handle(self, *args: Any, **options: Any) -> None:
        written = audit_checkpoint()
        for c in written:
            self.stdout.write(f"chain {c.chain}: link {c.seq} (row {c.event_id}) {c.hash}")
        self.stdout.write(f"{len(written)} checkpoints appended to {checkpoint_path()}")
