"""A task kind for the lease tests only: it reports the lease it runs under."""

from __future__ import annotations

import uuid

from django_tasks import TaskContext, task

from xietong.core.tasks_lease import TaskLease


@task(takes_context=True)
def lease_seen_task(context: TaskContext) -> str:
    """The id of the worker holding this task's lease while it runs; "" without a lease."""
    lease = TaskLease.objects.filter(task_result_id=uuid.UUID(context.task_result.id)).first()
    return lease.worker_id if lease else ""
