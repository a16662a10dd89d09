"""Background work of consultations (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from .deadlines import deadlines_check


@task()
def consultation_deadlines_task() -> int:
    """Run every few minutes (the `consultation_deadlines` command enqueues it)."""
    return deadlines_check()
