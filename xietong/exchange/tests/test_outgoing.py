"""Pushes to hospitals, on the platform's side: which gateway gets a message, in which
transaction, as which Bundle; a delivery that fails waits and retries, and shows as stuck."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, cast

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from xietong.accounts.tests.factories import make_actor
from xietong.consultations.tests.world import World, make_world
from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory
from xietong.exchange.gateways import gateway_revoke
from xietong.exchange.models import Gateway, OutgoingMessage
from xietong.exchange.outgoing.delivery import outgoing_deliver
from xietong.exchange.outgoing.selectors import outgoing_stuck
from xietong.exchange.outgoing.services import gateway_push_announce
from xietong.patients.models import PatientIdentifier

from .factories import make_gateway

pytestmark = pytest.mark.django_db

NOWHERE = "http://127.0.0.1:9/push"  # the discard port: nothing listens, the call is refused


def listening_gateway(institution: Institution, *, kinds: list[str] | None = None) -> Gateway:
    gateway, _secret = make_gateway(institution)
    gateway_push_announce(gateway=gateway, url=NOWHERE, kinds=kinds)
    return gateway


def signed(world: World) -> Any:
    PatientIdentifier.objects.create(
        patient=world.patient, system="mrn", value="0012345", assigner=world.county
    )
    return world.to("opinion_signed")


def test_a_signed_opinion_is_queued_for_the_requesting_hospitals_gateways_only() -> None:
    world = make_world()
    county = listening_gateway(world.county)
    other = listening_gateway(cast(Institution, InstitutionFactory(level="county")))
    revoked = listening_gateway(world.county)
    gateway_revoke(actor=make_actor("platform_admin"), gateway_uuid=revoked.uuid)
    make_gateway(world.county)  # gave no address: it takes no pushes
    not_wanted = listening_gateway(world.county, kinds=["down_referral"])
    c = signed(world)
    [message] = OutgoingMessage.objects.all()
    assert message.gateway == county
    assert {other.pk, revoked.pk, not_wanted.pk}.isdisjoint({message.gateway_id})
    assert (message.kind, message.state, message.subject) == (
        "opinion",
        "waiting",
        f"{c.number} v1",
    )
    parsed = Bundle.model_validate_json(json.dumps(message.bundle))
    assert parsed.type == "collection"
    assert parsed.identifier is not None and parsed.identifier.value == message.message_id
    patient, report = (e["resource"] for e in message.bundle["entry"])
    # The patient as the county hospital knows them: its own MRN.
    assert {"system": f"urn:xietong:mrn:{world.county.code}", "value": "0012345"} in patient[
        "identifier"
    ]
    assert report["resourceType"] == "DiagnosticReport"
    assert report["conclusion"] == "不稳定型心绞痛"
    assert report["subject"]["reference"] == f"Patient/{world.patient.uuid}"


def test_nothing_is_queued_when_the_signing_rolls_back() -> None:
    world = make_world()
    listening_gateway(world.county)
    with pytest.raises(RuntimeError), transaction.atomic():
        signed(world)
        assert OutgoingMessage.objects.count() == 1  # written in the signing's transaction
        raise RuntimeError("the signing fails after the push was written")
    assert OutgoingMessage.objects.count() == 0


def test_a_failed_delivery_waits_retries_and_shows_as_stuck(settings: Any) -> None:
    settings.XT_PUSH_RETRY_BASE_SECONDS = 60
    world = make_world()
    listening_gateway(world.county)
    signed(world)
    message = OutgoingMessage.objects.get()
    assert outgoing_deliver(message_pk=message.pk) == "retry"
    message.refresh_from_db()
    assert message.attempts == 1 and message.state == "waiting"
    assert "no answer" in message.last_error
    assert message.next_attempt_at > timezone.now() + dt.timedelta(seconds=25)
    assert outgoing_deliver(message_pk=message.pk) == "not due"  # waits for its time
    admin = make_actor("platform_admin")
    assert list(outgoing_stuck(actor=admin)) == []
    OutgoingMessage.objects.update(created_at=timezone.now() - dt.timedelta(hours=1))
    assert [m.pk for m in outgoing_stuck(actor=admin)] == [message.pk]


def test_a_message_for_a_gateway_revoked_meanwhile_is_never_sent() -> None:
    world = make_world()
    gateway = listening_gateway(world.county)
    signed(world)
    gateway_revoke(actor=make_actor("platform_admin"), gateway_uuid=gateway.uuid)
    message = OutgoingMessage.objects.get()
    assert outgoing_deliver(message_pk=message.pk) == "cancelled"
    message.refresh_from_db()
    assert message.state == "cancelled"


def test_the_heartbeat_announces_where_and_what_the_gateway_takes() -> None:
    gateway, secret = make_gateway()
    beat = {"queue_depth": 0, "errors_last_hour": 0, "version": "0.1.0"}
    auth = {"authorization": f"Bearer {secret}"}
    client = Client()
    answer = client.post(
        "/api/v1/exchange/heartbeat",
        {**beat, "inbound_url": "https://gw.example.cn/push", "inbound_kinds": ["opinion"]},
        content_type="application/json",
        headers=auth,
    )
    assert answer.status_code == 200, answer.content
    gateway.refresh_from_db()
    assert (gateway.push_url, gateway.push_kinds) == ("https://gw.example.cn/push", ["opinion"])
    bad = client.post(
        "/api/v1/exchange/heartbeat",
        {**beat, "inbound_url": "ftp://gw.example.cn/", "inbound_kinds": ["x-ray"]},
        content_type="application/json",
        headers=auth,
    )
    assert bad.status_code == 422
    gateway.refresh_from_db()
    assert gateway.push_url == "https://gw.example.cn/push"
    # A heartbeat without the fields (a gateway that takes no pushes) changes nothing.
    assert (
        client.post(
            "/api/v1/exchange/heartbeat", beat, content_type="application/json", headers=auth
        ).status_code
        == 200
    )
    gateway.refresh_from_db()
    assert gateway.push_url == "https://gw.example.cn/push"
