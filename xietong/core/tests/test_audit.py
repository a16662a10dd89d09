from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from xietong.accounts.tests.factories import make_actor
from xietong.core.audit import audit_record, audit_verify
from xietong.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _write(n: int) -> None:
    actor = make_actor("requester")
    for i in range(n):
        audit_record(actor=actor, action="patient.read", resource_type="Patient", resource_id=i)


def _tamper(sql: str, params: list[str | int]) -> None:
    """Edit a row the way an attacker with database access would: around the trigger."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = replica")
            cur.execute(sql, params)
            cur.execute("SET session_replication_role = DEFAULT")
        else:
            cur.execute("DROP TRIGGER core_auditevent_no_update")
            cur.execute(sql, params)


def test_chain_of_written_events_verifies() -> None:
    _write(5)
    report = audit_verify()
    assert report.ok
    assert report.checked == 5
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == [1, 2, 3, 4, 5]


def test_event_records_who_and_what() -> None:
    actor = make_actor("requester")
    event = audit_record(
        actor=actor, action="patient.read", resource_type="Patient", resource_id=7, patient_id=7
    )
    assert event.username == actor.username
    assert event.institution_id == actor.institution_id
    assert event.roles == "requester"
    assert event.patient_id == 7


def test_database_refuses_update() -> None:
    _write(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(action="tampered")


def test_verify_names_first_edited_link() -> None:
    _write(4)
    _tamper("UPDATE core_auditevent SET resource_id = %s WHERE seq = %s", ["999", 3])
    report = audit_verify()
    assert not report.ok
    assert report.broken_at == 3
    with pytest.raises(CommandError, match="broken at link 3"):
        call_command("audit_verify")


def test_verify_names_removed_link() -> None:
    _write(4)
    if connection.vendor == "postgresql":
        _tamper("DELETE FROM core_auditevent WHERE seq = %s", [2])
    else:
        with connection.cursor() as cur:
            cur.execute("DELETE FROM core_auditevent WHERE seq = 2")
    report = audit_verify()
    assert report.broken_at == 2
    assert "missing" in report.reason
