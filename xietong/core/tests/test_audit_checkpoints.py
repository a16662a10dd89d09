"""Signed checkpoints of the chain heads, in a file the database's owner cannot rewrite,
catch what the database alone cannot show: its last links removed and its head rewound."""

from __future__ import annotations

import stat
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xietong.core import clock
from xietong.core.audit import audit_record, audit_verify
from xietong.core.audit_check import CHECKPOINT, CHECKPOINT_FILE, MISSING, UNKEYED
from xietong.core.audit_checkpoints import (
    SEAL,
    Checkpoint,
    audit_checkpoint,
    checkpoints_append,
    checkpoints_read,
)
from xietong.core.audit_hash import link_digest
from xietong.core.models import AuditEvent, AuditHead

from .tampering import as_db_owner, rehash_from

pytestmark = pytest.mark.django_db


def _chain_of(n: int) -> int:
    events = [
        audit_record(actor=None, action="patient.read", resource_type="Patient", resource_id=i)
        for i in range(n)
    ]
    return events[0].chain


def test_the_command_checkpoints_each_head_that_moved(audit_checkpoints: Path) -> None:
    chain = _chain_of(3)
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    assert "1 checkpoints appended" in out.getvalue()
    assert stat.S_IMODE(audit_checkpoints.stat().st_mode) == 0o600
    [written] = list(checkpoints_read())
    last = AuditEvent.objects.get(chain=chain, seq=3)
    assert (written.chain, written.seq, written.event_id, written.hash) == (
        chain, 3, last.pk, last.hash
    )  # fmt: skip
    assert audit_checkpoint() == []  # nothing moved: nothing to say again
    _chain_of(1)
    assert [c.seq for c in audit_checkpoint()] == [4]
    assert audit_verify().ok


def test_the_clock_checkpoints_the_heads() -> None:
    _chain_of(2)
    assert "audit checkpoint" in {job.name for job in clock.periodic_jobs()}
    out = StringIO()
    call_command("clock", "--once", stdout=out)
    assert "queued audit checkpoint" in out.getvalue()
    assert [c.seq for c in checkpoints_read()] == [2]


def test_links_removed_and_the_head_rewound_to_match_are_detected() -> None:
    chain = _chain_of(5)
    audit_checkpoint()
    as_db_owner(sql="DELETE FROM core_auditevent WHERE chain = %s AND seq >= %s", params=[chain, 4])
    third = AuditEvent.objects.get(chain=chain, seq=3)
    AuditHead.objects.filter(pk=chain).update(seq=3, last_hash=third.hash)
    report = audit_verify()
    assert (report.chain, report.broken_at, report.kind) == (chain, 4, MISSING)
    with pytest.raises(CommandError, match=f"chain {chain} broken at link 4: links after 3"):
        call_command("audit_verify")


def test_a_whole_chain_removed_is_detected() -> None:
    chain = _chain_of(2)
    audit_checkpoint()
    as_db_owner(sql="DELETE FROM core_auditevent WHERE chain = %s", params=[chain])
    AuditHead.objects.filter(pk=chain).delete()
    report = audit_verify()
    assert (report.chain, report.broken_at, report.kind) == (chain, 1, MISSING)


def test_links_recomputed_by_someone_holding_the_key_differ_from_the_checkpoint() -> None:
    chain = _chain_of(4)
    audit_checkpoint()
    # Rewritten from link 2 on with correct keyed hashes: only the checkpoint remembers.
    prev = AuditEvent.objects.get(chain=chain, seq=1).hash
    for event in AuditEvent.objects.filter(chain=chain, seq__gte=2).order_by("seq"):
        event.prev_hash, event.resource_id = prev, f"forged-{event.seq}"
        prev = link_digest(event=event)
        as_db_owner(
            sql="UPDATE core_auditevent SET prev_hash = %s, resource_id = %s, hash = %s "
            "WHERE id = %s",
            params=[event.prev_hash, event.resource_id, prev, event.pk],
        )
    AuditHead.objects.filter(pk=chain).update(last_hash=prev)
    report = audit_verify()
    assert (report.chain, report.broken_at, report.kind) == (chain, 4, CHECKPOINT)


def test_a_forged_checkpoint_line_is_reported(audit_checkpoints: Path) -> None:
    _chain_of(2)
    audit_checkpoint()
    text = audit_checkpoints.read_text()
    audit_checkpoints.write_text(text.replace('"seq":2', '"seq":1'))
    report = audit_verify()
    assert not report.ok and report.kind == CHECKPOINT_FILE
    with pytest.raises(CommandError, match="line 1 is not signed with the audit key"):
        call_command("audit_verify")


def test_a_write_cut_short_is_not_a_line(audit_checkpoints: Path) -> None:
    _chain_of(2)
    audit_checkpoints.write_bytes(b'{"v":1,"kind":"head","cha')
    assert audit_verify().ok
    assert len(audit_checkpoint()) == 1
    assert audit_checkpoints.read_bytes().count(b"\n") == 2
    assert audit_verify().kind == CHECKPOINT_FILE  # the torn piece is there to be seen


def _as_legacy_chain(n: int) -> int:
    """A chain as migration core 0004 leaves one: links hashed the old way, then sealed."""
    chain = _chain_of(n)
    rehash_from(chain=chain, seq=1, downgrade=True)
    last = AuditEvent.objects.get(chain=chain, seq=n)
    seal = Checkpoint(chain=chain, seq=n, event_id=last.pk, hash=last.hash, at="", kind=SEAL)
    checkpoints_append(checkpoints=[seal])
    return chain


def test_legacy_links_verify_up_to_their_seal_and_keyed_links_follow_them() -> None:
    chain = _as_legacy_chain(3)
    assert audit_verify().ok
    assert _chain_of(2) == chain
    assert AuditEvent.objects.get(chain=chain, seq=5).hash_version == 2
    assert audit_verify().ok


def test_a_keyed_link_passed_off_as_a_legacy_one_after_the_seal_is_detected() -> None:
    chain = _as_legacy_chain(3)
    _chain_of(2)
    rehash_from(chain=chain, seq=4, downgrade=True)
    report = audit_verify()
    assert (report.chain, report.broken_at, report.kind) == (chain, 4, UNKEYED)
