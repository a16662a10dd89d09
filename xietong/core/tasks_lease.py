"""Leases on background tasks, so that nothing is lost when a worker dies (ADR 11).

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again:
a worker killed mid-task (out of memory, a redeploy, a power cut) leaves it RUNNING forever.
Here a worker that claims a task also takes a lease on it and renews the lease while the
task runs (`xietong.core.task_worker`). A task whose lease ran out has lost its worker:
`tasks_lease_recover` puts it back in the queue, or, once it has used its attempts, marks it
failed with the reason, for the platform administrators' list of failed tasks.

Every task must therefore be safe to run twice: a worker that only seemed dead (paused,
cut off from the database) may still finish the attempt that was handed to another."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

log = logging.getLogger(__name__)


class TaskLost(Exception):
    """Recorded as a failed task's exception when its workers kept dying under it."""


class TaskLease(models.Model):
    """The worker running a task, and until when its claim holds without a renewal."""

    task_result = models.OneToOneField(
        DBTaskResult, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    worker_id = models.CharField(max_length=64)
    expires_at = models.DateTimeField()

    class Meta:
        app_label = "core"

    def __str__(self) -> str:
        return f"{self.task_result_id} by {self.worker_id} until {self.expires_at:%H:%M:%S}"


@dataclass(frozen=True)
class LeasePolicy:
    lease: dt.timedelta
    max_attempts: int


# Per kind of task (its module path): a lease and a number of attempts, None for the default.
_overrides: dict[str, tuple[dt.timedelta | None, int | None]] = {}


def task_lease_register(
    task: Task, *, lease: dt.timedelta | None = None, max_attempts: int | None = None
) -> None:
    """A kind of task that needs other than the default lease or number of attempts. What
    is not given follows the settings, read each time, so changing them reaches it."""
    if lease is not None and lease <= dt.timedelta(0):
        raise ValueError("a lease must be positive")
    if max_attempts is not None and max_attempts < 1:
        raise ValueError("a task needs at least one attempt")
    _overrides[task.module_path] = (lease, max_attempts)


def lease_policy_default() -> LeasePolicy:
    seconds = int(settings.XT_TASK_LEASE_SECONDS)
    attempts = int(settings.XT_TASK_MAX_ATTEMPTS)
    return LeasePolicy(lease=dt.timedelta(seconds=max(seconds, 1)), max_attempts=max(attempts, 1))


def lease_policy_for(*, task_path: str) -> LeasePolicy:
    default = lease_policy_default()
    lease, attempts = _overrides.get(task_path, (None, None))
    return LeasePolicy(lease=lease or default.lease, max_attempts=attempts or default.max_attempts)


def lease_take(*, result: DBTaskResult, worker_id: str, now: dt.datetime | None = None) -> None:
    """Called by the worker right after it claimed `result`."""
    now = now or timezone.now()
    policy = lease_policy_for(task_path=result.task_path)
    TaskLease.objects.update_or_create(
        task_result=result, defaults={"worker_id": worker_id, "expires_at": now + policy.lease}
    )


def lease_renew(
    *, result_id: uuid.UUID, task_path: str, worker_id: str, now: dt.datetime | None = None
) -> bool:
    """Extends the lease; False when it is no longer this worker's (it ran out and the task
    was handed to another), which the caller reports: the attempt may now run twice."""
    now = now or timezone.now()
    policy = lease_policy_for(task_path=task_path)
    renewed = TaskLease.objects.filter(task_result_id=result_id, worker_id=worker_id).update(
        expires_at=now + policy.lease
    )
    return bool(renewed)


def lease_release(*, result_id: uuid.UUID, worker_id: str) -> None:
    TaskLease.objects.filter(task_result_id=result_id, worker_id=worker_id).delete()


@dataclass
class Recovery:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def tasks_lease_recover(*, now: dt.datetime | None = None) -> Recovery:
    """Requeues the running tasks whose lease ran out, or fails those that used their
    attempts. Safe to run anywhere at any time (the clock every minute, each worker as it
    starts and while it waits): each change is conditional on the task being in the state
    that was read, so two recoverers, or a worker finishing late, cannot undo each other."""
    now = now or timezone.now()
    recovery = Recovery()
    leases = dict(TaskLease.objects.values_list("task_result_id", "expires_at"))
    for result in DBTaskResult.objects.running().order_by("started_at"):
        policy = lease_policy_for(task_path=result.task_path)
        # No lease: claimed by a worker that died before taking it, or by a plain
        # db_worker; the claim itself counts as the start of a lease.
        expires = leases.get(result.pk) or (result.started_at or now) + policy.lease
        if expires > now:
            continue
        attempts = len(result.worker_ids)
        if attempts >= policy.max_attempts:
            if _fail(result=result, now=now, attempts=attempts):
                recovery.failed.append(str(result.pk))
        elif _requeue(result=result, now=now):
            recovery.requeued.append(str(result.pk))
    if recovery.requeued or recovery.failed:
        log.warning(
            "tasks whose worker stopped: requeued %s, failed %s",
            recovery.requeued,
            recovery.failed,
        )
    # Leases of tasks that finished while their worker died before releasing them.
    TaskLease.objects.exclude(task_result__status=TaskResultStatus.RUNNING).delete()
    return recovery


def _still_lost(*, result: DBTaskResult, now: dt.datetime) -> models.QuerySet[DBTaskResult]:
    """The task as it was read: the same claim (started_at changes with each claim) and no
    lease renewed since."""
    renewed = TaskLease.objects.filter(task_result=OuterRef("pk"), expires_at__gt=now)
    return DBTaskResult.objects.filter(
        pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
    ).filter(~Exists(renewed))


def _requeue(*, result: DBTaskResult, now: dt.datetime) -> bool:
    with transaction.atomic():
        # The attempts so far stay in worker_ids; the next claim appends to them.
        done = _still_lost(result=result, now=now).update(status=TaskResultStatus.READY)
        TaskLease.objects.filter(task_result_id=result.pk, expires_at__lte=now).delete()
    return bool(done)


def _fail(*, result: DBTaskResult, now: dt.datetime, attempts: int) -> bool:
    worker = result.worker_ids[-1] if result.worker_ids else "?"
    reason = (
        f"{TaskLost.__module__}.{TaskLost.__qualname__}: the worker running this task "
        f"stopped before it finished, on each of {attempts} attempt(s); "
        f"the last worker was {worker}, its lease ran out before {now.isoformat()}.\n"
    )
    with transaction.atomic():
        done = _still_lost(result=result, now=now).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=f"{TaskLost.__module__}.{TaskLost.__qualname__}",
            traceback=reason,
        )
        TaskLease.objects.filter(task_result_id=result.pk).delete()
    return bool(done)


def task_leases_register() -> None:
    """The clock looks for lost tasks every minute, so they are found even while every
    worker is down (they are then failed or waiting for the next worker to start)."""
    from .clock import periodic_register

    periodic_register(
        "lost task recovery", every=dt.timedelta(minutes=1), enqueue=tasks_lease_recover
    )
