"""Every list's paging parameters are bounded: a number past the bound, 2^63 above all,
answers 422 naming the parameter (it answered 500 when the number reached the database),
and the OpenAPI document shows the bounds."""

from __future__ import annotations

import pytest
from django.test import Client

from config.api import api
from tests.api.operations import ROLES, Operation, call_build, operations_in, world_build

pytestmark = pytest.mark.django_db

PAGING = ("offset", "limit", "page")
HUGE = 2**63


def _paged() -> list[tuple[Operation, str]]:
    found = []
    for op in operations_in(api.get_openapi_schema()):
        for param in op.spec.get("parameters", []):
            if param["in"] == "query" and param["name"] in PAGING:
                found.append((op, param["name"]))
    return found


PAGED = _paged()


def _id(item: tuple[Operation, str]) -> str:
    op, name = item
    return f"{op.id} {name}"


def test_the_lists_are_found() -> None:
    # The seven lists with an offset, and those with a limit alone.
    assert len({op.id for op, name in PAGED if name == "offset"}) >= 7
    assert len({op.id for op, _name in PAGED}) >= 10


@pytest.mark.parametrize("item", PAGED, ids=_id)
def test_a_paging_number_past_the_bound_is_422(item: tuple[Operation, str]) -> None:
    op, name = item
    world = world_build(ROLES.get(op.id, "requester"))
    call = call_build(op, world)
    client = Client(headers={"authorization": f"Bearer {world.token_key}"})

    response = client.get(call.url, {**call.query, name: str(HUGE)})

    assert response.status_code == 422, (response.status_code, response.content[:300])
    body = response.json()
    assert body["code"] == "validation_failed"
    assert list(body["fields"]) == [name]


@pytest.mark.parametrize("item", PAGED, ids=_id)
def test_the_document_shows_the_bounds(item: tuple[Operation, str]) -> None:
    op, name = item
    param = next(p for p in op.spec["parameters"] if p["name"] == name)
    schema = param["schema"]
    assert schema["type"] == "integer"
    assert schema["minimum"] >= 0
    assert schema["maximum"] <= 10_000_000
