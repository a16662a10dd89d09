"""A consultation and the referral its opinion advised are linked both ways: the workspace
shows the referral, and offers the requesting doctor the button to refer."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from xietong.accounts.models import User
from xietong.consultations.tests.world import make_world as consultation_world
from xietong.directory.tests.factories import CollaborationLinkFactory
from xietong.referrals.services import referral_create
from xietong.scheduling.tests.factories import make_schedule, make_slot

pytestmark = pytest.mark.django_db


def _page(user_id: int, consultation_uuid: Any) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(pk=user_id))
    answer = client.get(f"/consultations/{consultation_uuid}/")
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_workspace_lists_the_referral_and_offers_the_button_once_signed() -> None:
    cw = consultation_world()
    c = cw.to("opinion_signed")
    page = _page(cw.requester.user_id, c.uuid)
    assert f"consultation={c.uuid}" in page  # the button carries the link
    CollaborationLinkFactory(provider=cw.hospital, client=cw.county, service="referral")
    r = referral_create(
        actor=cw.requester, patient=cw.patient, kind="outpatient",
        receiving_institution=cw.hospital, slot=make_slot(make_schedule(cw.hospital)),
        consultation_uuid=c.uuid, reason="会诊建议转诊", clinical_summary="见会诊意见",
        diagnosis_code="I20.0", diagnosis_text="不稳定型心绞痛",
    )  # fmt: skip
    page = _page(cw.requester.user_id, c.uuid)
    assert r.number in page and f"/referrals/{r.uuid}/" in page


def test_before_an_opinion_there_is_no_button_and_experts_see_no_panel() -> None:
    cw = consultation_world()
    c = cw.to("in_progress")
    assert "consultation=" not in _page(cw.requester.user_id, c.uuid)
    expert_page = _page(cw.expert_actor.user_id, c.uuid)
    assert "ws-referrals" not in expert_page


def test_the_panel_says_where_the_opinion_advises_referral() -> None:
    from xietong.consultations.services import (
        consultation_opinion_draft_save,
        consultation_opinion_sign,
    )

    cw = consultation_world()
    c = cw.to("in_progress")
    consultation_opinion_draft_save(
        actor=cw.expert_actor, consultation=c, diagnosis="不稳定型心绞痛",
        recommendations="冠脉造影", referral_advised=True,
        referral_to_institution=str(cw.hospital.uuid), referral_to="心内科二病区",
    )  # fmt: skip
    consultation_opinion_sign(actor=cw.expert_actor, consultation=c, password="Correct-Horse-42")
    page = _page(cw.requester.user_id, c.uuid)
    panel = page.split('id="ws-referrals"')[1]
    assert f"{cw.hospital.name} · 心内科二病区" in panel
