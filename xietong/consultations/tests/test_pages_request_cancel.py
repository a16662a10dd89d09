"""Cancelling before it starts, with a reason, by the requester or the centre."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.consultations.models import Status

from .pages_request import sign_in, text
from .world import World

pytestmark = pytest.mark.django_db


def test_requester_cancels_with_a_reason(client: Client, world: World) -> None:
    c = world.to("triage")
    sign_in(client, world.requester)
    url = reverse("consultations:cancel", args=[c.uuid])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 422 and "Give the reason for cancelling." in text(response)
    response = client.post(url, {"reason": "患者病情好转"}, follow=True)
    assert f"{c.number} cancelled." in text(response)
    c.refresh_from_db()
    assert c.status == Status.CANCELLED and c.cancel_reason == "患者病情好转"


def test_centre_cancels(client: Client, world: World) -> None:
    c = world.to("assigned")
    sign_in(client, world.coordinator)
    client.post(reverse("consultations:cancel", args=[c.uuid]), {"reason": "专家不足"})
    c.refresh_from_db()
    assert c.status == Status.CANCELLED


def test_started_consultation_cannot_be_cancelled(client: Client, world: World) -> None:
    c = world.to("in_progress")
    sign_in(client, world.requester)
    response = client.post(
        reverse("consultations:cancel", args=[c.uuid]), {"reason": "不需要了"}, follow=True
    )
    assert "Cannot cancel" in text(response)
    c.refresh_from_db()
    assert c.status == Status.IN_PROGRESS


def test_expert_cannot_cancel(client: Client, world: World) -> None:
    c = world.to("assigned")
    sign_in(client, world.expert_actor)
    assert client.get(reverse("consultations:cancel", args=[c.uuid])).status_code == 403
