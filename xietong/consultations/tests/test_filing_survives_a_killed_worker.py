"""A worker killed while it files a signed opinion loses nothing: the next worker files the
opinion, exactly once (ADR 11). Real worker processes, killed with SIGKILL, on the test's
own database: a file copy of it on SQLite (a process cannot share the in-memory one), the
test database itself on PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from xietong.consultations.models import Opinion
from xietong.core.tasks_lease import TaskLease
from xietong.records.models import ClinicalDocument

from .world import make_world

pytestmark = pytest.mark.django_db(transaction=True)

LEASE_SECONDS = 2  # worker_settings.XT_TASK_LEASE_SECONDS
WAIT_SECONDS = 90


def worker_database(tmp_path: Path) -> tuple[dict[str, Any], Callable[[], None]]:
    """The database settings a worker process uses, and what brings its writes back to
    the database this test reads."""
    if connection.vendor != "sqlite":
        keys = ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT")
        return {key: connection.settings_dict[key] for key in keys}, lambda: None
    path = tmp_path / "worker.sqlite3"
    connection.ensure_connection()
    with closing(sqlite3.connect(path)) as copy:
        connection.connection.backup(copy)

    def copy_back() -> None:
        with closing(sqlite3.connect(path)) as copy:
            copy.backup(connection.connection)

    options = {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path), "OPTIONS": options}
    return database | {"OPTIONS": options | {"timeout": 20}}, copy_back


def start_worker(
    tmp_path: Path, *, worker_id: str, database: dict[str, Any], extra: list[str], **env: str
) -> tuple[subprocess.Popen[bytes], Path]:
    log = tmp_path / f"{worker_id}.log"
    environ = {key: value for key, value in os.environ.items() if key != "XT_TEST_HOLD_FILING"}
    environ |= {
        "DJANGO_SETTINGS_MODULE": "xietong.consultations.tests.worker_settings",
        "XT_WORKER_DATABASE": json.dumps(database),
        "XT_WORKER_MEDIA_ROOT": str(tmp_path / "media"),
        **env,
    }
    command = [
        sys.executable, "-m", "django", "task_worker", "--no-startup-delay", "--no-reload",
        "--interval=0.1", f"--worker-id={worker_id}", "-v", "2", *extra,
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and command
            command, cwd=django_settings.BASE_DIR, env=environ, stdout=out, stderr=out
        )
    return process, log


def wait_for(flag: Path, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not flag.exists():
        if process.poll() is not None:
            pytest.fail(f"the worker stopped before it began filing:\n{log.read_text()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the worker did not begin filing in time:\n{log.read_text()}")
        time.sleep(0.1)


def test_a_worker_killed_while_filing_an_opinion_loses_nothing_and_files_once(
    settings,
    tmp_path: Path,
) -> None:
    # Signing queues the filing in the database, as in production, instead of running it.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    c = make_world().to("opinion_signed")
    opinion = Opinion.objects.get(consultation=c)
    filing = DBTaskResult.objects.get(task_path__endswith=".opinion_file_task")
    assert opinion.document_uuid is None and filing.status == TaskResultStatus.READY
    database, copy_back = worker_database(tmp_path)

    flag = tmp_path / "filing-held"
    first, first_log = start_worker(
        tmp_path, worker_id="first", database=database, extra=[], XT_TEST_HOLD_FILING=str(flag)
    )
    try:
        wait_for(flag, first, first_log)  # the document is stored, the filing not finished
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    # The first worker's lease runs out at most a lease after its last renewal.
    time.sleep(LEASE_SECONDS + 1)

    second, second_log = start_worker(
        tmp_path, worker_id="second", database=database, extra=["--batch"]
    )
    try:
        second.wait(timeout=WAIT_SECONDS)
    finally:
        if second.poll() is None:
            second.kill()
    assert second.returncode == 0, second_log.read_text()
    copy_back()

    filing.refresh_from_db()
    assert filing.status == TaskResultStatus.SUCCESSFUL, second_log.read_text()
    assert filing.worker_ids == ["first", "second"]
    opinion.refresh_from_db()
    filed = ClinicalDocument.objects.filter(source=c.source, kind="consult_opinion")
    assert [d.uuid for d in filed] == [opinion.document_uuid]
    assert not TaskLease.objects.exists()
