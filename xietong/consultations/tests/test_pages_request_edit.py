"""Editing a draft, and amending and resubmitting a request the centre's QC returned."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.consultations.models import Status
from xietong.consultations.services import consultation_cancel

from .pages_request import sign_in, text
from .world import World, member

pytestmark = pytest.mark.django_db


def test_edit_draft_keeps_values_and_saves(client: Client, world: World) -> None:
    c = world.to("draft", history="高血压10年")
    sign_in(client, world.requester)
    url = reverse("consultations:edit", args=[c.uuid])
    page = text(client.get(url))
    assert "高血压10年" in page and c.number in page
    form = {
        "kind": c.kind,
        "mode": c.mode,
        "urgency": "emergency",
        "preferred_target": "centre",
        "wanted_department": "03.01",
        "reason": c.reason,
        "action": "save",
    }
    response = client.post(url, form, follow=True)
    assert "Draft saved." in text(response)
    c.refresh_from_db()
    assert c.urgency == "emergency" and c.status == Status.DRAFT


def test_returned_request_shows_the_qc_comment_and_resubmits(client: Client, world: World) -> None:
    c = world.to("returned")
    sign_in(client, world.requester)
    url = reverse("consultations:edit", args=[c.uuid])
    page = text(client.get(url))
    assert "Returned by the centre&#x27;s quality check" in page or "quality check" in page
    assert "缺检查报告" in page  # the QC comment
    assert "Resubmit" in page
    form = {
        "kind": c.kind,
        "mode": c.mode,
        "urgency": c.urgency,
        "preferred_target": "centre",
        "wanted_department": "03.01",
        "wanted_title": "chief",
        "reason": c.reason,
        "purpose": c.purpose,
        "chief_complaint": c.chief_complaint,
        "present_illness": c.present_illness,
        "diagnosis_text": c.diagnosis_text,
        "examination": "心电图 ST 段压低",
        "preferred_times": "明天上午",
        "action": "submit",
    }
    response = client.post(url, form, follow=True)
    c.refresh_from_db()
    assert c.status == Status.SUBMITTED and c.examination == "心电图 ST 段压低"
    assert "Request resubmitted" in text(response)


def test_submitted_request_can_no_longer_be_edited(client: Client, world: World) -> None:
    c = world.to("submitted")
    sign_in(client, world.requester)
    response = client.get(reverse("consultations:edit", args=[c.uuid]), follow=True)
    assert "can no longer be changed" in text(response)


def test_cancelled_meanwhile_is_told_and_nothing_changes(client: Client, world: World) -> None:
    c = world.to("draft")
    sign_in(client, world.requester)
    url = reverse("consultations:edit", args=[c.uuid])
    client.get(url)
    consultation_cancel(actor=world.requester, consultation=c, reason="病情变化")
    form = {
        "kind": c.kind,
        "mode": c.mode,
        "urgency": "urgent",
        "preferred_target": "centre",
        "action": "save",
    }
    response = client.post(url, form, follow=True)
    assert "can no longer be changed" in text(response)
    c.refresh_from_db()
    assert c.status == Status.CANCELLED and c.urgency == "routine"


def test_other_institution_does_not_find_the_draft(client: Client, world: World) -> None:
    c = world.to("draft")
    sign_in(client, member(world.hospital, "requester"))
    assert client.get(reverse("consultations:edit", args=[c.uuid])).status_code == 404


def test_expert_cannot_edit(client: Client, world: World) -> None:
    c = world.to("assigned")
    sign_in(client, world.expert_actor)
    assert client.get(reverse("consultations:edit", args=[c.uuid])).status_code == 403
