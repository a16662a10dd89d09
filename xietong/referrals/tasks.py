"""Background work of referrals (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from .greenchannel import green_channel_check


@task()
def referral_green_channel_task() -> int:
    """Run every minute (the `referral_green_channel` command enqueues it)."""
    return green_channel_check()
