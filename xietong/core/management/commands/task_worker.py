"""`manage task_worker`: django-tasks-db's `db_worker`, with leases (ADR 11).

It takes every option of db_worker; only the worker it builds differs. `./xt serve` runs
this one, so a task whose worker dies is run again instead of staying RUNNING forever."""

from __future__ import annotations

import logging
import os
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import valid_interval

from xietong.core.task_worker import LeasedWorker


def quiet_task_log() -> None:
    """A line per task started and finished only when XT_LOG_LEVEL asks for INFO or DEBUG; a
    failed task is logged (with its traceback) whatever the level."""
    level = str(getattr(settings, "LOGGING", {}).get("root", {}).get("level", "WARNING"))
    if level.upper() in {"INFO", "DEBUG"}:
        return
    for name in ("django_tasks", "django_tasks_db"):
        logging.getLogger(name).setLevel(logging.WARNING)


def priority_lower(nice: int) -> None:
    """Background work yields the CPU to the requests people wait for (ADR 21). Raising the
    nice value needs no privilege; a value already as high is left as it is."""
    current = os.nice(0)
    if nice > current:
        os.nice(nice - current)


class Command(DbWorkerCommand):
    help = "Run background tasks, each under a lease; requeue the tasks of workers that died."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--recover-every",
            type=valid_interval,
            default=float(settings.XT_TASK_RECOVER_SECONDS),
            help="seconds between looks for tasks whose worker died (default: %(default)r)",
        )

    def handle(  # type: ignore[override]
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        recover_every: float,
        **options: Any,
    ) -> None:
        # The same steps as db_worker's handle(), which builds its own Worker class.
        self.configure_logging(verbosity)
        quiet_task_log()
        priority_lower(settings.XT_TASK_WORKER_NICE)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        if reload and batch:
            reload = False  # a batch ends by itself; reloading would start it over
        worker = LeasedWorker(
            recover_every=recover_every,
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        if not reload:
            worker.configure_signals()
            worker.run()
            return
        if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            worker.configure_signals()  # only the child that runs tasks handles signals
        run_with_reloader(worker.run)
