"""Concurrent writers append to separate chains, and every chain still verifies."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from xietong.accounts.tests.factories import make_actor
from xietong.core.audit import audit_record, audit_verify
from xietong.core.models import AuditEvent, AuditHead


def _write_in_a_thread(n: int, errors: list[BaseException]) -> None:
    try:
        for i in range(n):
            audit_record(actor=None, action="patient.read", resource_type="Patient", resource_id=i)
    except BaseException as exc:  # reported to the test, which fails on it
        errors.append(exc)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_parallel_writers_spread_over_chains_and_each_chain_verifies() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_write_in_a_thread, args=(25, errors)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditEvent.objects.count() == 200
    assert len(set(AuditEvent.objects.values_list("chain", flat=True))) > 1
    report = audit_verify()
    assert report.ok and report.checked == 200
    for head in AuditHead.objects.all():
        assert head.seq == AuditEvent.objects.filter(chain=head.pk).count()


@pytest.mark.django_db
def test_one_connection_keeps_to_one_chain() -> None:
    actor = make_actor("requester")
    for i in range(3):
        audit_record(actor=actor, action="patient.read", resource_type="Patient", resource_id=i)
    links = list(AuditEvent.objects.order_by("id").values_list("chain", "seq"))
    assert len({chain for chain, _ in links}) == 1
    assert [seq for _, seq in links] == list(range(1, len(links) + 1))


@pytest.mark.django_db
def test_a_broken_chain_is_named() -> None:
    audit_record(actor=None, action="patient.read", resource_type="Patient", resource_id=1)
    audit_record(actor=None, action="patient.read", resource_type="Patient", resource_id=2)
    chain = AuditEvent.objects.values_list("chain", flat=True).get(resource_id="1")
    # The head claims a link that is not there: the last row was removed.
    AuditHead.objects.filter(pk=chain).update(seq=3)
    report = audit_verify()
    assert (report.chain, report.broken_at) == (chain, 3)
    assert "missing" in report.reason
