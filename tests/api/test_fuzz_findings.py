"""What the fuzzer found, each call as it was found, now answered without a server error.
Several failed on PostgreSQL only (a string longer than its column, a UTC offset past
15:59); each is checked here on whichever database the suite runs on."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.api.operations import ROLES, Json, World, call_build, world_build
from tests.api.test_openapi_contract import OPERATIONS

pytestmark = pytest.mark.django_db


def _send(op_id: str, change: dict[str, Any]) -> tuple[World, Any]:
    """The contract table's call of `op_id`, its JSON body changed by `change`."""
    op = next(o for o in OPERATIONS if o.id == op_id)
    world = world_build(ROLES.get(op_id, "requester"))
    call = call_build(op, world)
    assert isinstance(call.body, Json)
    client = Client(
        headers={"authorization": f"Bearer {world.token_key}", "accept-language": "en"},
        raise_request_exception=False,
    )
    body = json.dumps({**call.body.data, **change})
    return world, client.generic(op.method, call.url, body, content_type="application/json")


def _refused(response: Any, field: str) -> list[str]:
    assert response.status_code == 422, (response.status_code, response.content[:300])
    messages: list[str] = response.json()["fields"][field]
    return messages


OPINION = "PUT /api/v1/consultations/{consultation_uuid}/opinion"


@pytest.mark.parametrize("field", ["diagnosis", "recommendations", "referral_to", "follow_up"])
def test_an_opinion_field_sent_as_null_is_422(field: str) -> None:
    # null reached a NOT NULL column: IntegrityError, 500
    _world, response = _send(OPINION, {field: None})
    _refused(response, field)


def test_referral_advised_sent_as_null_is_422() -> None:
    _world, response = _send(OPINION, {"referral_advised": None})
    _refused(response, "referral_advised")


@pytest.mark.parametrize(
    ("op_id", "field", "most"),
    [
        (OPINION, "referral_to", 200),
        ("POST /api/v1/consultations/{consultation_uuid}/opinion/correct", "referral_to", 200),
        ("POST /api/v1/consultations", "diagnosis_text", 200),
        ("PATCH /api/v1/consultations/{consultation_uuid}", "diagnosis_text", 200),
        ("POST /api/v1/consultations/{consultation_uuid}/schedule", "room", 80),
        ("POST /api/v1/consultations/{consultation_uuid}/reschedule", "room", 80),
    ],
)
def test_text_longer_than_its_column_is_422(op_id: str, field: str, most: int) -> None:
    # PostgreSQL refused the value (varchar overflow): 500; SQLite kept it whole
    _world, response = _send(op_id, {field: "长" * (most + 1)})
    assert _refused(response, field) == ["This value is too long."]
    _world, response = _send(op_id, {field: "长" * most})
    assert response.status_code < 300, (response.status_code, response.content[:300])


@pytest.mark.parametrize(
    "query",
    [
        {"start": "9999-12-31T23:00:00+00:00"},  # two weeks later overflowed
        {"end": "0344-08-17T18:26:15+18:53"},  # PostgreSQL: offset out of range
        {"end": "0001-01-01T00:00:00+18:00"},  # before year 1 in UTC
        {"start": "2026-05-01T08:00:00"},  # no offset: compared with an aware time
    ],
    ids=["far-future", "offset-past-15:59", "before-year-1", "no-offset"],
)
def test_the_free_slot_search_takes_any_valid_time(query: dict[str, str]) -> None:
    world = world_build("referral_desk")
    client = Client(
        headers={"authorization": f"Bearer {world.token_key}"}, raise_request_exception=False
    )
    response = client.get("/api/v1/scheduling/slots", query)
    assert response.status_code == 200, (response.status_code, response.content[:300])
    assert isinstance(response.json(), list)


@pytest.mark.parametrize(
    ("url", "role"),
    [
        ("/api/v1/consultations/board", "coordinator"),
        ("/api/v1/referrals/arrivals", "referral_desk"),
    ],
)
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_day_at_the_calendars_edge_is_422(url: str, role: str, day: str) -> None:
    # found beside the fuzzer's findings: the day before or after overflowed, 500
    world = world_build(role)
    client = Client(
        headers={"authorization": f"Bearer {world.token_key}", "accept-language": "en"},
        raise_request_exception=False,
    )
    response = client.get(url, {"day": day})
    assert response.status_code == 422, (response.status_code, response.content[:300])
    assert response.json()["fields"]["day"][0].startswith("Ensure this value is")
    assert client.get(url, {"day": "2026-05-01"}).status_code == 200
