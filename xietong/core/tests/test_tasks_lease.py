"""A task whose worker died is put back in the queue when its lease runs out, and failed,
with the reason, once it has used its attempts (ADR 11)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from xietong.core import clock, tasks_lease
from xietong.core.tasks_lease import (
    TaskLease,
    lease_policy_for,
    lease_renew,
    lease_take,
    task_lease_register,
    tasks_lease_recover,
)
from xietong.core.tests.lease_tasks import lease_seen_task

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)
PATH = lease_seen_task.module_path


@pytest.fixture(autouse=True)
def _policies(monkeypatch: pytest.MonkeyPatch, settings) -> None:
    # Each test registers its own kinds; the defaults are the settings' documented ones.
    monkeypatch.setattr(tasks_lease, "_overrides", {})
    settings.XT_TASK_LEASE_SECONDS = 300
    settings.XT_TASK_MAX_ATTEMPTS = 3


def running(
    *, started: dt.datetime, workers: int = 1, lease_until: dt.datetime | None = None
) -> DBTaskResult:
    result = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path=PATH,
        backend_name="default",
        run_after=get_date_max(),
        status=TaskResultStatus.RUNNING,
        started_at=started,
        worker_ids=[f"worker-{n}" for n in range(1, workers + 1)],
    )
    if lease_until is not None:
        TaskLease.objects.create(
            task_result=result, worker_id=f"worker-{workers}", expires_at=lease_until
        )
    return result


def test_an_expired_lease_puts_the_task_back_in_the_queue() -> None:
    lost = running(
        started=NOW - dt.timedelta(minutes=10), lease_until=NOW - dt.timedelta(seconds=1)
    )

    recovery = tasks_lease_recover(now=NOW)

    lost.refresh_from_db()
    assert recovery.requeued == [str(lost.pk)] and recovery.failed == []
    assert lost.status == TaskResultStatus.READY
    assert lost.worker_ids == ["worker-1"]  # the attempt is counted
    assert not TaskLease.objects.exists()
    assert DBTaskResult.objects.ready().filter(pk=lost.pk).exists()


def test_a_renewed_lease_is_left_alone_however_long_the_task_runs() -> None:
    alive = running(started=NOW - dt.timedelta(hours=2), lease_until=NOW + dt.timedelta(seconds=5))

    assert tasks_lease_recover(now=NOW).requeued == []

    alive.refresh_from_db()
    assert alive.status == TaskResultStatus.RUNNING
    assert TaskLease.objects.filter(task_result=alive).exists()


def test_a_claim_without_a_lease_counts_from_its_start() -> None:
    # A worker that died between claiming the task and taking the lease, or a plain db_worker.
    old = running(started=NOW - dt.timedelta(minutes=6))
    recent = running(started=NOW - dt.timedelta(minutes=4))

    assert tasks_lease_recover(now=NOW).requeued == [str(old.pk)]

    recent.refresh_from_db()
    assert recent.status == TaskResultStatus.RUNNING


def test_past_its_attempts_the_task_fails_with_the_reason() -> None:
    lost = running(
        started=NOW - dt.timedelta(minutes=10), workers=3, lease_until=NOW - dt.timedelta(minutes=1)
    )

    recovery = tasks_lease_recover(now=NOW)

    lost.refresh_from_db()
    assert recovery.failed == [str(lost.pk)] and recovery.requeued == []
    assert lost.status == TaskResultStatus.FAILED
    assert lost.finished_at == NOW
    assert lost.exception_class_path == "xietong.core.tasks_lease.TaskLost"
    assert "stopped before it finished, on each of 3 attempt(s)" in lost.traceback
    assert "worker-3" in lost.traceback
    [error] = lost.task_result.errors
    assert error.exception_class is tasks_lease.TaskLost
    assert not TaskLease.objects.exists()


def test_each_kind_may_have_its_own_lease_and_attempts() -> None:
    task_lease_register(lease_seen_task, lease=dt.timedelta(seconds=30), max_attempts=1)
    assert lease_policy_for(task_path=PATH).lease == dt.timedelta(seconds=30)
    assert lease_policy_for(task_path="some.other.task").max_attempts == 3
    lost = running(started=NOW - dt.timedelta(minutes=1))  # within the default, not its own

    assert tasks_lease_recover(now=NOW).failed == [str(lost.pk)]


def test_kinds_without_their_own_follow_the_settings(settings) -> None:
    task_lease_register(lease_seen_task, max_attempts=5)
    settings.XT_TASK_LEASE_SECONDS = 20
    assert lease_policy_for(task_path=PATH).lease == dt.timedelta(seconds=20)
    assert lease_policy_for(task_path=PATH).max_attempts == 5
    with pytest.raises(ValueError):
        task_lease_register(lease_seen_task, lease=dt.timedelta(0))
    with pytest.raises(ValueError):
        task_lease_register(lease_seen_task, max_attempts=0)


def test_a_finished_task_is_never_requeued() -> None:
    done = running(started=NOW - dt.timedelta(hours=1), lease_until=NOW - dt.timedelta(hours=1))
    DBTaskResult.objects.filter(pk=done.pk).update(status=TaskResultStatus.SUCCESSFUL)

    assert tasks_lease_recover(now=NOW).requeued == []

    done.refresh_from_db()
    assert done.status == TaskResultStatus.SUCCESSFUL
    assert not TaskLease.objects.exists()  # the stale lease is dropped


def test_a_lease_renewed_after_it_was_read_keeps_its_task(monkeypatch: pytest.MonkeyPatch) -> None:
    # The worker was only slow: its renewal lands between the recoverer's read and write.
    slow = running(
        started=NOW - dt.timedelta(minutes=10), lease_until=NOW - dt.timedelta(seconds=1)
    )
    requeue = tasks_lease._requeue

    def renewed_first(*, result: DBTaskResult, now: dt.datetime) -> bool:
        assert lease_renew(result_id=result.pk, task_path=PATH, worker_id="worker-1", now=now)
        return requeue(result=result, now=now)

    monkeypatch.setattr(tasks_lease, "_requeue", renewed_first)

    assert tasks_lease_recover(now=NOW).requeued == []
    slow.refresh_from_db()
    assert slow.status == TaskResultStatus.RUNNING


def test_a_renewal_by_a_worker_that_lost_the_task_is_refused() -> None:
    task = running(started=NOW, lease_until=NOW + dt.timedelta(minutes=5))
    assert not lease_renew(result_id=task.pk, task_path=PATH, worker_id="someone-else", now=NOW)
    assert not lease_renew(result_id=uuid.uuid4(), task_path=PATH, worker_id="worker-1", now=NOW)
    lease_take(result=task, worker_id="worker-2", now=NOW)
    assert TaskLease.objects.get(task_result=task).expires_at == NOW + dt.timedelta(minutes=5)


def test_the_clock_looks_for_lost_tasks_every_minute() -> None:
    job = next(j for j in clock.periodic_jobs() if j.name == "lost task recovery")
    assert job.every == dt.timedelta(minutes=1)
    lost = running(started=timezone.now() - dt.timedelta(hours=1))

    job.enqueue()

    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.READY


# The worker ends its transactions and closes idle connections as in production, which a
# test wrapped in one transaction would not survive.
@pytest.mark.django_db(transaction=True)
def test_the_worker_requeues_lost_tasks_as_it_starts_and_runs_them_under_a_lease(
    settings,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    lost = running(started=timezone.now() - dt.timedelta(hours=1))

    call_command(
        "task_worker", "--batch", "--no-startup-delay", "--no-reload", "--worker-id=after-crash",
        "--interval=0", verbosity=0,
    )  # fmt: skip

    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.SUCCESSFUL
    assert lost.worker_ids == ["worker-1", "after-crash"]
    assert lost.return_value == "after-crash"  # it ran holding its lease
    assert not TaskLease.objects.exists()  # released when it finished
