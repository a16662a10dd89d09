"""The expert's queue: accept, or decline with a required reason; a consultation cancelled
meanwhile is told, not changed."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.consultations.models import AssignmentStatus, Status
from xietong.consultations.services import consultation_cancel
from xietong.core.times import local_time

from .pages_request import sign_in, text
from .world import World

pytestmark = pytest.mark.django_db


def test_queue_lists_what_awaits_an_answer(client: Client, world: World) -> None:
    c = world.to("assigned")
    sign_in(client, world.expert_actor)
    page = text(client.get(reverse("consultations:queue")))
    assert c.number in page and reverse("consultations:answer", args=[c.uuid]) in page
    page = text(client.get(reverse("home")))
    assert "My consultation work" in page
    assert "1 request to accept or decline. 0 opinions to write. Nothing overdue." in page


def test_the_home_card_counts_what_the_navigation_counts(client: Client, world: World) -> None:
    world.to("assigned")
    booked = world.to("scheduled")
    world.to("in_progress")
    assert booked.scheduled_start is not None
    sign_in(client, world.expert_actor)
    page = text(client.get(reverse("home")))
    card = page[page.index("My consultation work") - 400 : page.index("My queue</a>")]
    assert "1 request to accept or decline. 2 opinions to write." in card
    assert f"Next booked session: {local_time(booked.scheduled_start)}." in card
    # The card's number is the navigation's: what waits for this expert, 3.
    assert '<span class="badge' in card and ">3</span>" in card
    nav = page[page.index('href="/consultations/queue/"') :][:400]
    assert ">3</span>" in nav


def test_accept(client: Client, world: World) -> None:
    c = world.to("assigned")
    sign_in(client, world.expert_actor)
    url = reverse("consultations:answer", args=[c.uuid])
    assert c.chief_complaint in text(client.get(url))
    response = client.post(url, {"action": "accept"}, follow=True)
    assert f"You accepted {c.number}" in text(response)
    c.refresh_from_db()
    assert c.status == Status.ACCEPTED


def test_decline_needs_a_reason(client: Client, world: World) -> None:
    c = world.to("assigned")
    sign_in(client, world.expert_actor)
    url = reverse("consultations:answer", args=[c.uuid])
    response = client.post(url, {"action": "decline", "reason": ""})
    assert response.status_code == 422 and "Give the reason for declining." in text(response)
    response = client.post(url, {"action": "decline", "reason": "出差一周"}, follow=True)
    assert "back to the centre" in text(response)
    c.refresh_from_db()
    assert c.status == Status.TRIAGE
    assert c.assignments.get().status == AssignmentStatus.DECLINED


def test_cancelled_while_answering(client: Client, world: World) -> None:
    c = world.to("assigned")
    sign_in(client, world.expert_actor)
    url = reverse("consultations:answer", args=[c.uuid])
    client.get(url)
    consultation_cancel(actor=world.requester, consultation=c, reason="患者转院")
    response = client.post(url, {"action": "accept"}, follow=True)
    assert "Someone acted on this consultation a moment ago" in text(response)
    c.refresh_from_db()
    assert c.status == Status.CANCELLED


def test_requester_cannot_answer(client: Client, world: World) -> None:
    c = world.to("assigned")
    sign_in(client, world.requester)
    assert (
        client.post(
            reverse("consultations:answer", args=[c.uuid]), {"action": "accept"}
        ).status_code
        == 403
    )
