"""The FHIR R4 views validate against fhir.resources and follow the consultation."""

from __future__ import annotations

import pytest
from django.test import Client

# R4B: the R4 line of fhir.resources (ServiceRequest, Task and Bundle are unchanged from R4).
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

from xietong.accounts.models import Membership
from xietong.accounts.tokens import api_token_issue
from xietong.consultations.services import consultation_cancel, consultation_expert_decline
from xietong.core.actor import Actor

from .world import World

pytestmark = pytest.mark.django_db


def _client(actor: Actor) -> Client:
    _, key = api_token_issue(membership=Membership.objects.get(pk=actor.membership_id or 0))
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_service_request_is_valid_fhir(world: World) -> None:
    c = world.to("assigned", urgency="emergency")
    answer = _client(world.requester).get(f"/fhir/R4/ServiceRequest/{c.uuid}")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/fhir+json")
    ServiceRequest.model_validate(answer.json())
    resource = answer.json()
    assert (resource["status"], resource["intent"], resource["priority"]) == (
        "active",
        "order",
        "stat",
    )
    assert resource["identifier"][0]["value"] == c.number
    assert resource["subject"]["reference"] == f"Patient/{world.patient.uuid}"
    assert resource["reasonCode"][0]["coding"][0]["code"] == "I20.0"


def test_tasks_follow_the_workflow(world: World) -> None:
    c = world.to("assigned")
    consultation_expert_decline(actor=world.expert_actor, consultation=c, reason="不在本专业")
    consultation_cancel(actor=world.coordinator, consultation=c, reason="患者已出院")
    answer = _client(world.requester).get("/fhir/R4/Task", {"focus": f"ServiceRequest/{c.uuid}"})
    Bundle.model_validate(answer.json())
    bundle = answer.json()
    assert bundle["type"] == "searchset" and bundle["total"] == 2
    for entry in bundle["entry"]:
        Task.model_validate(entry["resource"])
    centre, expert = (e["resource"] for e in bundle["entry"])
    assert centre["status"] == "cancelled" and centre["statusReason"]["text"] == "患者已出院"
    assert centre["code"]["coding"][0]["code"] == "fulfill"
    assert centre["focus"]["reference"] == f"ServiceRequest/{c.uuid}"
    assert expert["status"] == "rejected" and expert["statusReason"]["text"] == "不在本专业"
    sr = _client(world.requester).get(f"/fhir/R4/ServiceRequest/{c.uuid}").json()
    assert sr["status"] == "revoked"


def test_completed_maps_to_completed(world: World) -> None:
    c = world.to("completed")
    bundle = _client(world.coordinator).get("/fhir/R4/Task", {"focus": f"ServiceRequest/{c.uuid}"})
    tasks = [e["resource"] for e in bundle.json()["entry"]]
    assert {t["status"] for t in tasks} == {"completed"}


def test_strangers_get_404_and_an_empty_search(world: World) -> None:
    c = world.to("triage")
    stranger = _client(world.expert_actor)
    assert stranger.get(f"/fhir/R4/ServiceRequest/{c.uuid}").status_code == 404
    bundle = stranger.get("/fhir/R4/Task", {"focus": f"ServiceRequest/{c.uuid}"}).json()
    assert bundle["total"] == 0
    assert Client().get(f"/fhir/R4/ServiceRequest/{c.uuid}").status_code == 401
