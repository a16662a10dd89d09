"""Background work of pushes to hospitals (django-tasks, run by core's task worker)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from xietong.core.clock import periodic_register
from xietong.core.tasks_lease import task_lease_register

from .delivery import outgoing_deliver, outgoing_due


@task()
def outgoing_deliver_task(*, message_pk: int) -> str:
    """One attempt to deliver one message; a failure queues the next one itself."""
    return outgoing_deliver(message_pk=message_pk)


# An attempt lost with its worker is not retried by the lease: the sweep sends it again.
task_lease_register(outgoing_deliver_task, max_attempts=1)


@task()
def outgoing_sweep_task() -> int:
    """Attempts whatever is due and has no task waiting for it (a worker lost, a process
    that died between a commit and its enqueue, a gateway that just gave its address)."""
    due = outgoing_due()
    for pk in due:
        outgoing_deliver_task.enqueue(message_pk=pk)
    return len(due)


task_lease_register(outgoing_sweep_task, max_attempts=1)


def periodic_jobs_register() -> None:
    periodic_register(
        "pushes to hospitals", every=dt.timedelta(minutes=1), enqueue=outgoing_sweep_task.enqueue
    )
