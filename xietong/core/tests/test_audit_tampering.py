"""What someone with the database owner's rights, but not the audit key or the checkpoint
file, could do to the audit log; each is detected at the first link it broke."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xietong.accounts.tests.factories import make_actor
from xietong.core.audit import audit_record, audit_verify
from xietong.core.models import AuditEvent, AuditHead

from .tampering import as_db_owner, plain_sha256, rehash_from

pytestmark = pytest.mark.django_db


def _chain_of(n: int) -> int:
    """Writes n links on this connection's chain and returns the chain's number."""
    actor = make_actor("requester")
    events = [
        audit_record(actor=actor, action="patient.read", resource_type="Patient", resource_id=i)
        for i in range(n)
    ]
    assert audit_verify().ok
    return events[0].chain


def _assert_broken_at(chain: int, link: int) -> None:
    report = audit_verify()
    assert (report.ok, report.chain, report.broken_at) == (False, chain, link), report
    with pytest.raises(CommandError, match=f"audit chain {chain} broken at link {link}:"):
        call_command("audit_verify")


def test_a_changed_institution_name_is_detected() -> None:
    chain = _chain_of(4)
    as_db_owner(
        sql="UPDATE core_auditevent SET institution_name = %s WHERE chain = %s AND seq = %s",
        params=["另一家医院", chain, 2],
    )
    _assert_broken_at(chain, 2)


def test_a_changed_user_agent_is_detected() -> None:
    chain = _chain_of(4)
    as_db_owner(
        sql="UPDATE core_auditevent SET user_agent = %s WHERE chain = %s AND seq = %s",
        params=["curl/8.5", chain, 3],
    )
    _assert_broken_at(chain, 3)


def test_last_links_deleted_with_the_head_are_detected() -> None:
    chain = _chain_of(5)
    as_db_owner(sql="DELETE FROM core_auditevent WHERE chain = %s AND seq >= %s", params=[chain, 4])
    AuditHead.objects.filter(pk=chain).delete()
    _assert_broken_at(chain, 4)


def test_a_changed_last_link_is_detected_even_with_its_head_rewritten() -> None:
    chain = _chain_of(4)
    as_db_owner(
        sql="UPDATE core_auditevent SET resource_id = %s WHERE chain = %s AND seq = %s",
        params=["999", chain, 4],
    )
    rehash_from(chain=chain, seq=4)
    _assert_broken_at(chain, 4)


def test_a_head_that_does_not_match_the_last_link_is_detected() -> None:
    chain = _chain_of(3)
    AuditHead.objects.filter(pk=chain).update(last_hash="f" * 64)
    _assert_broken_at(chain, 3)


@pytest.mark.parametrize("downgrade", [False, True], ids=["same version", "as legacy links"])
def test_a_changed_middle_link_with_later_hashes_recomputed_is_detected(downgrade: bool) -> None:
    chain = _chain_of(5)
    as_db_owner(
        sql="UPDATE core_auditevent SET resource_id = %s WHERE chain = %s AND seq = %s",
        params=["999", chain, 2],
    )
    rehash_from(chain=chain, seq=2, downgrade=downgrade)
    # Every link carries its predecessor's hash and its own plain SHA-256: only the key
    # tells the recomputed links from real ones.
    for event in AuditEvent.objects.filter(chain=chain, seq__gte=2):
        assert event.hash == plain_sha256(event=event)
    _assert_broken_at(chain, 2)
