"""django-tasks-db's worker, holding a lease on the task it runs (ADR 11).

Beside the worker's loop runs a keeper thread: while a task runs it renews the task's lease
every third of the lease, and every `recover_every` seconds it looks for tasks other workers
lost (tasks_lease_recover). The worker also looks once as it starts, so restarting the
worker after a crash is enough to put its lost task back in the queue."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import Any

from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from .tasks_lease import (
    lease_policy_for,
    lease_release,
    lease_renew,
    lease_take,
    tasks_lease_recover,
)

log = logging.getLogger(__name__)

# The keeper never waits less than this, however short a lease (tests use seconds).
MIN_BEAT_SECONDS = 0.2


class LeasedWorker(Worker):
    def __init__(self, *, recover_every: float, **options: Any) -> None:
        super().__init__(**options)
        self.recover_every = max(recover_every, MIN_BEAT_SECONDS)
        # (task id, module path, seconds between renewals) of the running task, or None.
        # Replaced whole, never changed in place, so the keeper reads it without a lock.
        self._current: tuple[uuid.UUID, str, float] | None = None
        self._stop = threading.Event()

    def run(self) -> None:
        self._recover()
        keeper = threading.Thread(target=self._keep, name="task-lease-keeper", daemon=True)
        keeper.start()
        try:
            super().run()
        finally:
            self._stop.set()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            lease_take(result=db_task_result, worker_id=self.worker_id)
        except Exception:
            # The task still runs: without a lease its claim counts from when it started.
            log.exception("task %s: could not take its lease", db_task_result.pk)
        lease = lease_policy_for(task_path=db_task_result.task_path).lease.total_seconds()
        self._current = (db_task_result.pk, db_task_result.task_path, lease / 3)
        try:
            super().run_task(db_task_result)
        finally:
            self._current = None
            try:
                lease_release(result_id=db_task_result.pk, worker_id=self.worker_id)
            except Exception:
                # Harmless: recovery drops the leases of tasks that are no longer running.
                log.exception("task %s: could not release its lease", db_task_result.pk)

    def _beat(self) -> float:
        current = self._current
        beat = self.recover_every if current is None else min(current[2], self.recover_every)
        return max(beat, MIN_BEAT_SECONDS)

    def _keep(self) -> None:
        next_recovery = time.monotonic() + self.recover_every
        try:
            while not self._stop.wait(self._beat()):
                self._renew()
                if time.monotonic() >= next_recovery:
                    self._recover()
                    next_recovery = time.monotonic() + self.recover_every
                close_old_connections()
        finally:
            connection.close()  # the keeper's own connection; the worker keeps its

    def _renew(self) -> None:
        current = self._current
        if current is None:
            return
        result_id, task_path, _beat = current
        try:
            kept = lease_renew(result_id=result_id, task_path=task_path, worker_id=self.worker_id)
        except Exception:
            # SQLite may be locked by the task itself; the next beat tries again, and a
            # lease lasts three beats.
            log.warning("task %s: lease not renewed this time", result_id, exc_info=True)
            return
        if not kept and self._current is current:
            log.error(
                "task %s: its lease ran out and it was handed on; this attempt may run twice",
                result_id,
            )

    def _recover(self) -> None:
        try:
            tasks_lease_recover()
        except Exception:
            log.exception("looking for lost tasks failed; trying again later")
