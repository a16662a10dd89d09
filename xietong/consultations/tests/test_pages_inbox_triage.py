"""Triage from the centre's inbox: the expert library filtered, one expert or an MDT team
with a lead, and the refusals."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.consultations.models import AssignmentStatus, Status
from xietong.consultations.services import consultation_triage_assign

from .pages_request import sign_in, text
from .world import World, a_slot

pytestmark = pytest.mark.django_db


def _key(expert: object) -> str:
    return str(expert.practitioner.uuid)  # type: ignore[attr-defined]


def test_library_is_filtered_by_the_wanted_specialty(client: Client, world: World) -> None:
    c = world.to("triage")
    a_slot(world)
    sign_in(client, world.coordinator)
    page = text(client.get(reverse("consultations:triage", args=[c.uuid])))
    assert world.expert.practitioner.name in page
    assert _key(world.expert) in page
    page = text(
        client.get(reverse("consultations:triage", args=[c.uuid]), {"institution_level": "village"})
    )
    assert _key(world.expert) not in page
    assert "No expert matches" in page


def test_assign_one_expert(client: Client, world: World) -> None:
    c = world.to("triage")
    sign_in(client, world.coordinator)
    response = client.post(
        reverse("consultations:triage", args=[c.uuid]),
        {"experts": [_key(world.expert)]},
        follow=True,
    )
    assert "the experts are asked to answer" in text(response)
    c.refresh_from_db()
    assert c.status == Status.ASSIGNED
    assert c.assignments.get().expert == world.expert


def test_nobody_chosen_is_refused(client: Client, world: World) -> None:
    c = world.to("triage")
    sign_in(client, world.coordinator)
    response = client.post(reverse("consultations:triage", args=[c.uuid]), {})
    assert response.status_code == 422 and "Choose at least one expert." in text(response)
    c.refresh_from_db()
    assert c.status == Status.TRIAGE


def test_mdt_needs_a_lead(client: Client, world: World) -> None:
    c = world.to("triage", kind="mdt")
    second, _actor = world.more_expert()
    sign_in(client, world.coordinator)
    url = reverse("consultations:triage", args=[c.uuid])
    chosen = [_key(world.expert), _key(second)]
    response = client.post(url, {"experts": chosen})
    assert response.status_code == 422 and "Name exactly one lead expert" in text(response)
    client.post(url, {"experts": chosen, "lead": _key(second)})
    c.refresh_from_db()
    assert c.status == Status.ASSIGNED
    assert c.assignments.get(lead=True).expert == second


def test_two_coordinators_at_once(client: Client, world: World) -> None:
    c = world.to("triage")
    sign_in(client, world.coordinator)
    consultation_triage_assign(actor=world.coordinator, consultation=c, experts=[world.expert])
    second, _actor = world.more_expert()
    response = client.post(
        reverse("consultations:triage", args=[c.uuid]), {"experts": [_key(second)]}, follow=True
    )
    assert "Cannot assign experts" in text(response)
    assert c.assignments.filter(status=AssignmentStatus.PROPOSED).count() == 1


def test_qc_cannot_triage(client: Client, world: World) -> None:
    c = world.to("triage")
    sign_in(client, world.qc)
    assert client.get(reverse("consultations:triage", args=[c.uuid])).status_code == 403
