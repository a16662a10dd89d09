"""The consultation workspace as each party sees it."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.test import Client

from xietong.accounts.models import User
from xietong.consultations.tests.world import World, member
from xietong.core.actor import Actor
from xietong.core.models import AuditEvent
from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def sign_in(client: Client, actor: Actor, language: str = "zh-hans") -> Client:
    client.force_login(User.objects.get(pk=actor.user_id))
    client.cookies["django_language"] = language
    return client


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def url(c: Any) -> str:
    return f"/consultations/{c.uuid}/"


def test_requester_sees_summary_timeline_chat_and_no_video(client: Client, world: World) -> None:
    c = world.to("returned")
    text = page(sign_in(client, world.requester), url(c))
    assert c.number in text and world.patient.name in text
    assert "胸痛3天" in text and "不稳定型心绞痛" in text and "I20.0" in text
    # The timeline: who returned it and why, in Chinese.
    assert "退回补充资料" in text or "退回" in text
    assert "缺检查报告" in text
    assert "待补充资料" in text
    assert 'data-ws="/ws/threads/' in text and 'name="body"' in text
    # Video joins this page later: no control for it yet.
    assert "<video" not in text and "视频会诊" not in text and "janus" not in text.lower()
    read = AuditEvent.objects.filter(
        resource_type="Consultation", action="consultation.read"
    ).last()
    assert read is not None and read.resource_id == str(c.uuid)


def test_expert_and_centre_are_admitted_outsiders_are_not(client: Client, world: World) -> None:
    c = world.to("accepted")
    assert world.expert.practitioner.name in page(sign_in(client, world.expert_actor), url(c))
    assert c.number in page(sign_in(client, world.coordinator), url(c))
    stranger = member(cast(Institution, InstitutionFactory()), "requester", "coordinator", "expert")
    sign_in(client, stranger)
    assert client.get(url(c)).status_code == 404


def test_expert_can_start_an_accepted_consultation(client: Client, world: World) -> None:
    c = world.to("accepted")
    sign_in(client, world.expert_actor)
    assert "开始会诊" in page(client, url(c))
    response = client.post(f"/consultations/{c.uuid}/start")
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.status == "in_progress"
    text = page(client, url(c))
    assert "会诊已开始" in text and "撰写会诊意见" in text


def test_start_in_the_wrong_state_says_why_and_changes_nothing(
    client: Client, world: World
) -> None:
    c = world.to("triage")
    sign_in(client, world.coordinator)
    response = client.post(f"/consultations/{c.uuid}/start", follow=True)
    c.refresh_from_db()
    assert c.status == "triage"
    assert "无法" in response.content.decode() or "不能" in response.content.decode()


def test_deadlines_are_shown_and_overdue_flagged(client: Client, world: World) -> None:
    import datetime as dt

    from django.utils import timezone

    c = world.to("triage")
    type(c).objects.filter(pk=c.pk).update(accept_by=timezone.now() - dt.timedelta(hours=1))
    text = page(sign_in(client, world.coordinator), url(c))
    assert "已超时" in text or "超时" in text
