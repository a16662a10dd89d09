"""A list that shows patients' names is a read of them: one audit event per page shown,
naming the patients on it (not one event per patient, and none for an empty page)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.core.models import AuditEvent
from xietong.patients.tests.factories import make_patient

from .pages_request import sign_in
from .world import World, add_consent, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return make_world()


def _list_reads(username: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            username=username, action="service_request.search", resource_type="ServiceRequest"
        )
    )


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("requester", "consultations:mine"),
        ("qc", "consultations:inbox"),
        ("expert_actor", "consultations:queue"),
    ],
)
def test_each_list_page_is_one_read_naming_its_patients(
    client: Client, world: World, who: str, url: str
) -> None:
    first = world.to("assigned")
    world.patient = make_patient(world.county)
    add_consent(world.patient, world.county, world.requester.user_id)
    second = world.to("assigned")
    actor = getattr(world, who)
    page = sign_in(client, actor).get(reverse(url), {"tab": "all"} if who == "qc" else {})
    assert page.status_code == 200
    shown = page.content.decode()
    assert first.patient.name in shown and second.patient.name in shown
    (event,) = _list_reads(actor.username)
    assert event.detail["patient_ids"] == sorted([first.patient_id, second.patient_id])
    assert event.detail["count"] == 2 and event.patient_id is None


def test_an_empty_list_records_no_read(client: Client, world: World) -> None:
    assert sign_in(client, world.requester).get(reverse("consultations:mine")).status_code == 200
    assert _list_reads(world.requester.username) == []


def test_the_api_lists_are_audited_once_per_call(world: World) -> None:
    from xietong.accounts.models import Membership
    from xietong.accounts.tokens import api_token_issue

    c = world.to("submitted")
    membership = Membership.objects.get(pk=world.requester.membership_id or 0)
    key = api_token_issue(membership=membership)[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    answer = api.get("/api/v1/consultations", {"scope": "requests"})
    assert answer.status_code == 200 and [r["uuid"] for r in answer.json()] == [str(c.uuid)]
    (event,) = _list_reads(world.requester.username)
    assert event.detail["patient_ids"] == [c.patient_id]
