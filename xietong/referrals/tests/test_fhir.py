"""The referral read as FHIR R4: ServiceRequest, its Tasks (BSeR businessStatus) and the
Appointment, valid against fhir.resources, visible only to the institutions taking part."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

from xietong.accounts.models import Membership
from xietong.accounts.tokens import api_token_issue
from xietong.core.actor import Actor
from xietong.referrals.fhir import BSER_SYSTEM
from xietong.referrals.models import Referral

from .world import World, member

pytestmark = pytest.mark.django_db


def _client(actor: Actor) -> Client:
    _, key = api_token_issue(membership=Membership.objects.get(pk=actor.membership_id or 0))
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def _tasks(actor: Actor, r: Referral) -> list[dict[str, Any]]:
    answer = _client(actor).get("/fhir/R4/Task", {"focus": f"ServiceRequest/{r.uuid}"})
    assert answer.status_code == 200
    Bundle.model_validate(answer.json())
    return [e["resource"] for e in answer.json().get("entry", [])]


def test_service_request_is_valid_fhir(world: World) -> None:
    r = world.request(urgency="urgent")
    answer = _client(world.desk).get(f"/fhir/R4/ServiceRequest/{r.uuid}")
    assert answer.status_code == 200
    ServiceRequest.model_validate(answer.json())
    resource = answer.json()
    assert (resource["status"], resource["priority"]) == ("active", "urgent")
    assert resource["identifier"][0]["value"] == r.number
    assert resource["reasonCode"][0]["coding"][0]["code"] == "I20.0"


def test_task_follows_the_referral_with_bser_codes(world: World) -> None:
    r = world.request()
    (task,) = _tasks(world.sender, r)
    Task.model_validate(task)
    assert task["status"] == "requested"
    assert task["businessStatus"]["coding"][0] == {
        "system": BSER_SYSTEM, "code": "2.0", "display": "Created",
    }  # fmt: skip
    r = world.to("no_show")
    (task,) = _tasks(world.sender, r)
    assert (task["status"], task["businessStatus"]["coding"][0]["code"]) == ("failed", "5.1.2")


def test_a_declined_referral_is_a_rejected_task_with_its_reason(world: World) -> None:
    r = world.to("declined")
    (task,) = _tasks(world.sender, r)
    assert task["status"] == "rejected"
    assert task["businessStatus"]["coding"][0]["code"] == "4.0"
    assert task["statusReason"]["text"] == "本周专家外出"


def test_a_down_referral_adds_a_task_owned_by_the_lower_institution(world: World) -> None:
    r = world.to("follow_up")
    up, down = _tasks(world.sender, r)
    Task.model_validate(down)
    assert up["status"] == "completed"
    assert down["owner"]["reference"] == f"Organization/{world.county.uuid}"
    assert down["status"] == "in-progress"


def test_the_appointment_of_the_booking(world: World) -> None:
    r = world.to("accepted")
    answer = _client(world.sender).get(f"/fhir/R4/Appointment/{r.booking_uuid}")
    assert answer.status_code == 200
    Appointment.model_validate(answer.json())
    assert answer.json()["status"] == "booked"


def test_nobody_else_reads_it(world: World) -> None:
    r = world.to("accepted")
    outsider = member(world.outsider, "referral_desk")
    assert _client(outsider).get(f"/fhir/R4/ServiceRequest/{r.uuid}").status_code == 404
    assert _client(outsider).get(f"/fhir/R4/Appointment/{r.booking_uuid}").status_code == 404
    assert _tasks(outsider, r) == []
