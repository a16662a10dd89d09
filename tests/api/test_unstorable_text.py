"""A character no text column can hold (half of a UTF-16 surrogate pair, or NUL) is refused
with 422 naming the field, in the caller's language, wherever the API reads text; it
answered 500 when a service tried to save it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.api.operations import (
    ROLES,
    Json,
    NotCovered,
    Operation,
    World,
    call_build,
    world_build,
)
from tests.api.test_openapi_contract import JSON_BODY_OPS

pytestmark = pytest.mark.django_db

LONE = "\ud800"  # json.dumps writes it as the escape "\ud800", as a client would send it


def _client(world: World, language: str = "zh-hans", op: Operation | None = None) -> Client:
    key = world.gateway_secret if op is not None and op.gateway_only else world.token_key
    return Client(headers={"authorization": f"Bearer {key}", "accept-language": language})


def _spoiled(data: Any, bad: str) -> tuple[Any, str]:
    """`data` with `bad` added to its first text value, and that value's field path; a
    body without text gets a note that holds it."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str):
                return {**data, key: value + bad}, key
            if isinstance(value, (dict, list)) and value:
                inner, path = _spoiled(value, bad)
                if path:
                    return {**data, key: inner}, f"{key}.{path}"
        return {**data, "note": bad}, "note"
    if isinstance(data, list) and isinstance(data[0], str):
        return [data[0] + bad, *data[1:]], "0"
    if isinstance(data, list):
        inner, path = _spoiled(data[0], bad)
        return [inner, *data[1:]], f"0.{path}"
    return data, ""


def _post(world: World, op: Operation, bad: str, language: str = "zh-hans") -> Any:
    try:
        call = call_build(op, world)
    except NotCovered as exc:
        # The contract test fails for it already, saying what the table lacks.
        pytest.skip(str(exc))
    assert isinstance(call.body, Json)
    data, field = _spoiled(call.body.data, bad)
    response = _client(world, language, op).generic(
        op.method, call.url, json.dumps(data), content_type="application/json",
        query_params=call.query or None,
    )  # fmt: skip
    return response, field


def _op(op_id: str) -> Operation:
    return next(op for op in JSON_BODY_OPS if op.id == op_id)


@pytest.mark.parametrize("op_id", ["POST /api/v1/patients", "POST /api/v1/consultations"])
def test_a_lone_surrogate_is_422_in_chinese_by_default(op_id: str) -> None:
    world = world_build(ROLES.get(op_id, "requester"))
    response, field = _post(world, _op(op_id), LONE)
    assert response.status_code == 422, (response.status_code, response.content[:300])
    body = response.json()
    assert body["code"] == "validation_failed"
    assert body["fields"] == {field: [body["fields"][field][0]]}
    assert "U+D800" in body["fields"][field][0] and "代理" in body["fields"][field][0]


def test_a_lone_surrogate_is_explained_in_english_when_asked() -> None:
    world = world_build()
    response, field = _post(world, _op("POST /api/v1/patients"), LONE, language="en")
    assert response.status_code == 422
    assert response.json()["fields"][field] == [
        "The text contains U+D800, half of a UTF-16 surrogate pair, which is not a character. "
        "Type the text again."
    ]


@pytest.mark.parametrize("bad", [LONE, "\udfff", "\x00"], ids=["high", "low", "nul"])
@pytest.mark.parametrize("op", JSON_BODY_OPS, ids=lambda op: op.id)
def test_every_json_body_refuses_unstorable_text(op: Operation, bad: str) -> None:
    world = world_build(ROLES.get(op.id, "requester"))
    response, field = _post(world, op, bad, language="en")
    assert response.status_code == 422, (response.status_code, response.content[:300])
    assert f"U+{ord(bad):04X}" in response.json()["fields"][field][0]


def test_a_key_holding_a_lone_surrogate_is_named_without_it() -> None:
    world = world_build()
    op = _op("POST /api/v1/patients")
    call = call_build(op, world)
    assert isinstance(call.body, Json)
    text = json.dumps({**call.body.data, "x" + LONE: "1"})
    response = _client(world).post(call.url, text, content_type="application/json")
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["x\ufffd"]


def test_a_null_character_in_the_query_string_is_422() -> None:
    world = world_build()
    response = _client(world, "en").get("/api/v1/patients", {"q": "王\x00"})
    assert response.status_code == 422
    assert "U+0000" in response.json()["fields"]["q"][0]


def test_ordinary_text_still_passes() -> None:
    world = world_build()
    response, _field = _post(world, _op("POST /api/v1/patients"), "")
    assert response.status_code == 201, response.content[:300]
