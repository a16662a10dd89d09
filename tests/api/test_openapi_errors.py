"""The OpenAPI document declares the errors each operation can answer, with the shape the
API answers them in, so that clients and fuzzers see the real contract: an operation that
reads a JSON body can meet broken JSON (400), another media type (415), a body too large
(413) and refused input (422); one with an id in its path can meet an unknown id (404); one
behind authentication can meet missing credentials (401) and, when it changes something, a
missing CSRF token (403)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from config.api import api
from tests.api.operations import (
    ROLES,
    NotCovered,
    Operation,
    World,
    call_build,
    operations_in,
    world_build,
)
from tests.api.schema_check import SchemaChecker

# As served: status codes are the JSON document's string keys.
DOCUMENT = json.loads(json.dumps(api.get_openapi_schema()))
OPERATIONS = operations_in(DOCUMENT)


def _declared(op: Operation) -> set[int]:
    return {int(status) for status in op.spec["responses"]}


def _expected(op: Operation) -> set[int]:
    expected: set[int] = set()
    params = op.spec.get("parameters", [])
    if op.takes_json:
        expected |= {400, 413, 415, 422}
    if op.body_types:
        expected |= {413, 422}
    if any(p["in"] == "query" for p in params):
        expected.add(422)
    if any(p["in"] == "path" for p in params):
        expected.add(404)
    if op.secured:
        expected.add(401)
        if op.method in {"POST", "PUT", "PATCH", "DELETE"}:
            expected.add(403)
    return expected


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.id)
def test_the_frame_errors_are_declared(op: Operation) -> None:
    missing = _expected(op) - _declared(op)
    assert not missing, f"{op.id} does not declare {sorted(missing)}"


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.id)
def test_every_declared_error_has_the_error_shape(op: Operation) -> None:
    checker = SchemaChecker(DOCUMENT)
    for status, answer in op.spec["responses"].items():
        if not 400 <= int(status) < 500:
            continue  # the health check's 503 has a shape of its own, for load balancers
        schema = answer["content"]["application/json"]["schema"]
        assert checker.errors({"code": "not_found", "message": "未找到。"}, schema) == []
        fields = {"code": "validation_failed", "message": "请更正。", "fields": {"name": ["必填"]}}
        assert checker.errors(fields, schema) == [], (op.id, status)
        assert checker.errors({"message": "no code"}, schema), (op.id, status)


def _answer_is_documented(op: Operation, response: Any) -> None:
    status = str(response.status_code)
    assert status in op.spec["responses"], (op.id, status, sorted(op.spec["responses"]))
    schema = op.spec["responses"][status]["content"]["application/json"]["schema"]
    assert SchemaChecker(DOCUMENT).errors(response.json(), schema) == []


def _world_and_call(op: Operation) -> tuple[World, Any]:
    world = world_build(ROLES.get(op.id, "requester"))
    try:
        return world, call_build(op, world)
    except NotCovered as exc:
        # The contract test fails for it already, saying what the table lacks.
        pytest.skip(str(exc))


JSON_OPS = [op for op in OPERATIONS if op.takes_json]


@pytest.mark.django_db
@pytest.mark.parametrize("op", JSON_OPS, ids=lambda op: op.id)
def test_broken_json_and_plain_text_answer_as_declared(op: Operation) -> None:
    world, call = _world_and_call(op)
    client = Client(headers={"authorization": f"Bearer {world.token_key}"})
    broken = client.generic(op.method, call.url, '{"a": ', content_type="application/json")
    _answer_is_documented(op, broken)
    text = client.generic(op.method, call.url, "{}", content_type="text/plain")
    _answer_is_documented(op, text)


@pytest.mark.django_db
@pytest.mark.parametrize("op", [op for op in OPERATIONS if op.secured], ids=lambda op: op.id)
def test_no_credentials_answers_as_declared(op: Operation) -> None:
    _world, call = _world_and_call(op)
    _answer_is_documented(op, Client().generic(op.method, call.url))
