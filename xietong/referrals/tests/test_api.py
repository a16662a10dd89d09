"""The API as a caller meets it: create with a taken slot (409 and the next free slots), the
slip, check-in by the QR payload, and the actions each party is offered."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from pypdf import PdfReader

from xietong.accounts.models import Membership
from xietong.accounts.tokens import api_token_issue
from xietong.core.actor import Actor
from xietong.referrals.models import Referral

from .world import REQUEST, World, member

pytestmark = pytest.mark.django_db


def _client(actor: Actor) -> Client:
    _, key = api_token_issue(membership=Membership.objects.get(pk=actor.membership_id or 0))
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="zh-hans")


def _body(world: World, slot_uuid: object) -> dict[str, object]:
    return {
        **REQUEST,
        "patient": str(world.patient.uuid),
        "kind": "outpatient",
        "receiving_institution": str(world.hospital.uuid),
        "slot": str(slot_uuid),
    }


def test_a_taken_slot_answers_409_with_the_next_free_ones(world: World) -> None:
    full = world.slot(capacity=1, booked=1)
    free = world.slot()
    answer = _client(world.sender).post(
        "/api/v1/referrals", _body(world, full.uuid), content_type="application/json"
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "slot_taken"
    assert [a["uuid"] for a in answer.json()["alternatives"]] == [str(free.uuid)]
    assert not Referral.objects.exists()


def test_an_unlinked_institution_answers_422_in_chinese(world: World) -> None:
    body = _body(world, world.slot().uuid)
    body["receiving_institution"] = str(world.outsider.uuid)
    answer = _client(world.sender).post("/api/v1/referrals", body, content_type="application/json")
    assert answer.status_code == 422
    assert "receiving_institution" in answer.json()["fields"]


def test_create_then_the_desk_sees_and_accepts(world: World) -> None:
    answer = _client(world.sender).post(
        "/api/v1/referrals", _body(world, world.slot().uuid), content_type="application/json"
    )
    assert answer.status_code == 201
    created = answer.json()
    assert created["actions"] == ["cancel"]
    desk = _client(world.desk)
    incoming = desk.get("/api/v1/referrals", {"scope": "incoming"}).json()
    assert [r["number"] for r in incoming] == [created["number"]]
    detail = desk.get(f"/api/v1/referrals/{created['uuid']}").json()
    assert set(detail["actions"]) == {"accept", "decline", "propose"}
    accepted = desk.post(f"/api/v1/referrals/{created['uuid']}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    again = desk.post(f"/api/v1/referrals/{created['uuid']}/accept")
    assert again.status_code == 409


def test_the_slip_is_a_pdf(world: World) -> None:
    r = world.to("accepted")
    answer = _client(world.sender).get(f"/api/v1/referrals/{r.uuid}/slip")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(answer.content)).pages[0].extract_text()
    assert "双向转诊单" in text and r.number in text and world.hospital.name in text


def test_check_in_by_the_scanned_qr_payload(world: World) -> None:
    r = world.to("accepted")
    answer = _client(world.desk).post(
        "/api/v1/referrals/check-in", {"payload": r.number}, content_type="application/json"
    )
    assert answer.status_code == 200 and answer.json()["status"] == "arrived"
    other = member(world.outsider, "referral_desk")
    answer = _client(other).post(
        "/api/v1/referrals/check-in", {"payload": r.number}, content_type="application/json"
    )
    assert answer.status_code == 404


def test_arrivals_and_targets(world: World) -> None:
    r = world.request(slot=world.slot(in_hours=0.5))
    green = world.request(urgency="emergency")
    rows = _client(world.desk).get("/api/v1/referrals/arrivals").json()
    assert {row["number"] for row in rows} >= {green.number}
    assert r.slot_start is not None
    targets = _client(world.sender).get("/api/v1/referrals/targets").json()
    assert [t["name"] for t in targets] == [world.hospital.name]


def test_the_qr_code_carries_the_number() -> None:
    from xietong.referrals.pdf import qr_svg_data_uri

    assert qr_svg_data_uri("ZZ-20261122-0001").startswith("data:image/svg+xml")
