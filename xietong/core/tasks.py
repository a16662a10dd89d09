"""Background work of core (django-tasks)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django_tasks import task

from .audit_checkpoints import audit_checkpoint
from .clock import periodic_register


@task()
def audit_checkpoint_task() -> int:
    """Checkpoints the audit chains' heads; returns how many moved since the last time."""
    return len(audit_checkpoint())


def periodic_jobs_register() -> None:
    """A truncated chain can go unnoticed only back to its latest checkpoint: the clock
    takes one every XT_AUDIT_CHECKPOINT_MINUTES."""
    periodic_register(
        "audit checkpoint",
        every=dt.timedelta(minutes=max(1, settings.XT_AUDIT_CHECKPOINT_MINUTES)),
        enqueue=audit_checkpoint_task.enqueue,
    )
