"""Days that are over are counted by the clock, not by the first reader after midnight.

Closing is idempotent (closed_days.py): a page that reads before the job runs closes the
day itself and the job then finds nothing to do, and the other way round."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from xietong.core.clock import periodic_register
from xietong.core.tasks_lease import task_lease_register

from .closed_days import closed_days_ensure
from .progress import week_days


def week_close(*, now: dt.datetime) -> int:
    """Closes the week's days that are over at `now`; how many of them are closed."""
    return len(closed_days_ensure(days=week_days(now=now), now=now))


@task()
def closed_days_task() -> int:
    return week_close(now=timezone.now())


# A run lost with its worker is simply the next tick's: closing twice counts once.
task_lease_register(closed_days_task, max_attempts=1)


def closed_days_job_register() -> None:
    # Every quarter of an hour, so that a day closes within the first half hour after
    # midnight (CLOSE_AFTER keeps the first 15 minutes for pushes still committing).
    periodic_register(
        "connection day counts", every=dt.timedelta(minutes=15), enqueue=closed_days_task.enqueue
    )
