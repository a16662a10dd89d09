"""Delivering the outbox after commit. A failed attempt is retried with a growing delay up
to settings.XT_OUTBOX_MAX_ATTEMPTS; then the message stays failed, with its last error,
for someone to see on the outbox page."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task, task_backends

from .adapters import deliver
from .models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)


def retry_delay(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8… times the base delay after the 1st, 2nd, 3rd… failure."""
    base = int(settings.XT_OUTBOX_RETRY_SECONDS)
    return dt.timedelta(seconds=base * 2 ** max(attempts - 1, 0))


def outbox_enqueue(message_id: int, *, run_after: dt.datetime | None = None) -> None:
    backend = task_backends[outbox_deliver.backend]
    if run_after is not None and backend.supports_defer:
        outbox_deliver.using(run_after=run_after).enqueue(message_id)
    else:
        # A backend that cannot wait (the immediate one in tests) retries at once.
        outbox_deliver.enqueue(message_id)


@task()
def outbox_deliver(message_id: int) -> str:
    """One attempt at one message. Returns its status afterwards."""
    max_attempts = int(settings.XT_OUTBOX_MAX_ATTEMPTS)
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update()
            .filter(pk=message_id, status=OutboxStatus.PENDING)
            .first()
        )
        if message is None:
            return "gone"  # sent or given up already: a duplicate enqueue does nothing
        message.attempts += 1
        try:
            delivered = deliver(message)
        except Exception as exc:  # any adapter failure counts as a failed attempt
            log.warning(
                "outbox message %s: attempt %s failed: %s", message.pk, message.attempts, exc
            )
            message.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if message.attempts >= max_attempts:
                message.status = OutboxStatus.FAILED
                message.next_attempt_at = None
            else:
                message.next_attempt_at = timezone.now() + retry_delay(message.attempts)
        else:
            message.status = OutboxStatus.SENT if delivered else OutboxStatus.KEPT
            message.sent_at = timezone.now() if delivered else None
            message.next_attempt_at = None
            message.last_error = ""
        message.save()
    if message.status == OutboxStatus.PENDING:
        outbox_enqueue(message.pk, run_after=message.next_attempt_at)
        message.refresh_from_db()
    return str(message.status)
