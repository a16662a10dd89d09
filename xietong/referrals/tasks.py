"""Background work of referrals (django-tasks)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from xietong.core.clock import periodic_register
from xietong.core.tasks_lease import task_lease_register

from .greenchannel import green_channel_check


@task()
def referral_green_channel_task() -> int:
    """Run every minute (the `referral_green_channel` command enqueues it)."""
    return green_channel_check()


# A lost check is not run again: the clock queues the next one within a minute.
task_lease_register(referral_green_channel_task, max_attempts=1)


def periodic_jobs_register() -> None:
    """Unacknowledged emergency referrals are looked for every minute by the clock."""
    periodic_register(
        "referral green channel",
        every=dt.timedelta(minutes=1),
        enqueue=referral_green_channel_task.enqueue,
    )
