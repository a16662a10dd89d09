"""Verifying while other connections append: the verifier reads one snapshot, so a link
committed halfway through its walk is no break, and the web button records none."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connections

from xietong.accounts.tests.factories import make_actor
from xietong.core.audit import ChainReport, audit_record, audit_verify
from xietong.core.audit_checkpoints import audit_checkpoint
from xietong.core.models import AuditEvent, AuditOutcome
from xietong.core.selectors import audit_chain_check

postgres_only = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL: SQLite serialises writers, so nothing appends during a walk",
)


def _until(stop: threading.Event, errors: list[BaseException], work: Callable[[], object]) -> None:
    try:
        while not stop.is_set():
            work()
    except BaseException as exc:  # reported to the test, which fails on it
        errors.append(exc)
    finally:
        connections.close_all()


def _append() -> None:
    audit_record(actor=None, action="patient.read", resource_type="Patient", resource_id="x")


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_verifying_while_others_append_reports_no_break() -> None:
    admin = make_actor("platform_admin")
    stop, errors = threading.Event(), list[BaseException]()
    works: list[Callable[[], object]] = [_append] * 6 + [audit_checkpoint]
    threads = [threading.Thread(target=_until, args=(stop, errors, w)) for w in works]
    for thread in threads:
        thread.start()
    reports: list[ChainReport] = []
    try:
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline or len(reports) < 10:
            reports.append(audit_verify())
            reports.append(audit_chain_check(actor=admin))
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
    assert [r for r in reports if not r.ok] == []
    assert AuditEvent.objects.filter(action="patient.read").count() > 100  # they did run meanwhile
    recorded = AuditEvent.objects.filter(action="audit.verify")
    assert recorded.count() == len(reports) // 2
    assert not recorded.exclude(outcome=AuditOutcome.SUCCESS).exists()
    assert audit_verify().ok
