"""Two people acting on what their pages showed: the second is told what happened, and
nothing is done twice."""

from __future__ import annotations

import pytest
from django.test import Client

from xietong.accounts.models import User
from xietong.consultations import services as s
from xietong.consultations.models import ConsultationEvent
from xietong.consultations.tests.world import World
from xietong.core.actor import Actor

pytestmark = pytest.mark.django_db


def sign_in(client: Client, actor: Actor) -> Client:
    client.force_login(User.objects.get(pk=actor.user_id))
    client.cookies["django_language"] = "zh-hans"
    return client


def test_coordinator_and_expert_both_press_start(client: Client, world: World) -> None:
    c = world.to("scheduled")
    sign_in(client, world.coordinator)
    page = client.get(f"/consultations/{c.uuid}/").content.decode()
    assert 'name="seen" value="scheduled"' in page and "开始会诊" in page
    s.consultation_start(actor=world.expert_actor, consultation=c)  # the expert was quicker
    response = client.post(f"/consultations/{c.uuid}/start", {"seen": "scheduled"}, follow=True)
    assert "刚刚有其他人处理了该会诊，当前状态为“会诊中”" in response.content.decode()
    assert ConsultationEvent.objects.filter(consultation=c, action="start").count() == 1


def test_rating_a_consultation_cancelled_meanwhile_is_refused(client: Client, world: World) -> None:
    c = world.to("accepted")
    sign_in(client, world.requester)
    s.consultation_cancel(actor=world.coordinator, consultation=c, reason="患者已转院")
    response = client.post(
        f"/consultations/{c.uuid}/acknowledge", {"seen": "opinion_signed", "rating": "5"},
        follow=True,
    )  # fmt: skip
    assert "刚刚有其他人处理了该会诊" in response.content.decode()
    c.refresh_from_db()
    assert c.status == "cancelled" and c.rating is None


def test_saving_a_draft_after_the_opinion_was_signed_elsewhere(
    client: Client, world: World
) -> None:
    """The same expert signed in another tab; this tab's save must not reopen it."""
    c = world.to("opinion_signed")
    sign_in(client, world.expert_actor)
    response = client.post(
        f"/consultations/{c.uuid}/opinion/",
        {"seen": "in_progress", "diagnosis": "另一个诊断", "recommendations": "x"},
        follow=True,
    )
    text = response.content.decode()
    assert "刚刚有其他人处理了该会诊" in text
    assert c.opinions.get().diagnosis == "不稳定型心绞痛"
