"""The verify button names what the verifier found, in the reader's language, and records a
real break as the serious failure it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.models import User
from xietong.accounts.tests.factories import make_actor
from xietong.core.audit import audit_record
from xietong.core.audit_checkpoints import audit_checkpoint
from xietong.core.models import AuditEvent, AuditHead, AuditOutcome

from .tampering import as_db_owner

pytestmark = pytest.mark.django_db


def _admin(language: str = "en") -> Client:
    # Signed in before the tampering: signing in is audited, on the same chain in a test.
    admin = make_actor("platform_admin")
    client = Client(headers={"accept-language": language})
    client.force_login(User.objects.get(pk=admin.user_id))
    return client


def _press(client: Client) -> str:
    return client.post(reverse("audit:verify"), follow=True).content.decode()


def _chain_of(n: int) -> int:
    events = [
        audit_record(actor=None, action="patient.read", resource_type="Patient") for _ in range(n)
    ]
    return events[0].chain


def test_links_removed_behind_a_checkpoint_are_named_and_recorded_as_serious() -> None:
    chain = _chain_of(5)
    client = _admin()
    audit_checkpoint()
    as_db_owner(sql="DELETE FROM core_auditevent WHERE chain = %s AND seq >= %s", params=[chain, 4])
    third = AuditEvent.objects.get(chain=chain, seq=3)
    AuditHead.objects.filter(pk=chain).update(seq=3, last_hash=third.hash)
    html = _press(client)
    assert f"Audit chain {chain} is broken at link 4: a link is missing." in html
    recorded = AuditEvent.objects.get(action="audit.verify")
    assert recorded.outcome == AuditOutcome.SERIOUS_FAILURE
    assert recorded.detail["kind"] == "missing"


def test_a_head_that_does_not_match_is_named_in_chinese() -> None:
    chain = _chain_of(2)
    client = _admin("zh-hans")
    AuditHead.objects.filter(pk=chain).update(last_hash="f" * 64)
    html = _press(client)
    assert "记录链尾位置的数据缺失，或与链上最后一条记录不符" in html


def test_a_forged_checkpoint_file_is_reported(audit_checkpoints: Path) -> None:
    _chain_of(2)
    client = _admin()
    audit_checkpoint()
    forged = audit_checkpoints.read_text().replace('"sig":"', '"sig":"0')
    audit_checkpoints.write_text(forged)
    html = _press(client)
    assert "checkpoint file was changed" in html
    assert AuditEvent.objects.get(action="audit.verify").outcome == AuditOutcome.SERIOUS_FAILURE
