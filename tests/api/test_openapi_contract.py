"""Every operation the OpenAPI document lists is called as a signed-in user would call it:
the answer's status is one the operation documents, and a 2xx body matches the documented
schema. Then the ways a call goes wrong: each answers JSON, none answers 500."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client

from config.api import api
from tests.api.operations import (
    ROLES,
    UNSAFE,
    Call,
    Json,
    Multipart,
    NotCovered,
    Operation,
    World,
    call_build,
    operations_in,
    world_build,
)
from tests.api.schema_check import SchemaChecker

pytestmark = pytest.mark.django_db

OPENAPI_URL = "/api/v1/openapi.json"
# The document as the code declares it, read when the tests are collected. Each test also
# fetches the served document and checks its operation against that one.
OPERATIONS = operations_in(api.get_openapi_schema())
CSRF_SECRET = "contractTestCsrfSecret0123456789"  # 32 letters and digits, as Django makes them


def _ids(op: Operation) -> str:
    return op.id


def served_document() -> dict[str, Any]:
    response = Client().get(OPENAPI_URL)
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def client_for(world: World, auth: str, op: Operation | None = None) -> Client:
    if op is not None and op.gateway_only:
        # A hospital's gateway calls with the secret the platform issued it.
        return Client(headers={"authorization": f"Bearer {world.gateway_secret}"})
    if auth == "bearer":
        return Client(headers={"authorization": f"Bearer {world.token_key}"})
    # The browser's way: a session cookie, and the CSRF token echoed in a header.
    client = Client(enforce_csrf_checks=True, headers={"x-csrftoken": CSRF_SECRET})
    client.force_login(world.user)
    client.cookies["csrftoken"] = CSRF_SECRET
    return client


def send(client: Client, method: str, call: Call, **overrides: Any) -> Any:
    body = overrides.get("body", call.body)
    extra: dict[str, Any] = {"query_params": call.query or None}
    if isinstance(body, Json):
        return client.generic(
            method, call.url, json.dumps(body.data), content_type="application/json", **extra
        )
    if isinstance(body, Multipart):
        assert method == "POST", "multipart bodies are sent with POST"
        return client.post(call.url, body.encoded(), **extra)
    return client.generic(method, call.url, **extra)


def body_of(response: Any) -> Any:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return json.loads(response.content)


def assert_error_json(response: Any, status: int, code: str | None = None) -> None:
    body = body_of(response)
    assert response.status_code == status, (response.status_code, body)
    assert isinstance(body.get("message"), str) and body["message"], body
    if code is not None:
        assert body.get("code") == code, body


def _built(op: Operation) -> tuple[World, Call]:
    world = world_build(ROLES.get(op.id, "requester"))
    try:
        return world, call_build(op, world)
    except NotCovered as exc:
        pytest.fail(str(exc))


# A gateway's operations have one way in, its secret; a person's have two.
CALLS = [
    (op, auth)
    for op in OPERATIONS
    for auth in (["gateway"] if op.gateway_only else ["bearer", "session"])
]


@pytest.mark.parametrize(("op", "auth"), CALLS, ids=[f"{op.id}-{auth}" for op, auth in CALLS])
def test_operation_answers_as_documented(op: Operation, auth: str) -> None:
    document = served_document()
    served = document["paths"].get(op.path, {}).get(op.method.lower())
    assert served is not None, f"{op.id} is missing from the served {OPENAPI_URL}"
    world, call = _built(op)

    response = send(client_for(world, auth, op), op.method, call)

    status = str(response.status_code)
    content = response.content.decode(errors="replace")[:500]
    assert response.status_code < 500, f"{op.id} answered {status}: {content}"
    assert status in served["responses"], (
        f"{op.id} answered {status}, which it does not document "
        f"({sorted(served['responses'])}): {content}"
    )
    assert 200 <= response.status_code < 300, (
        f"{op.id} answered {status} to the call tests/api/operations.py builds: {content}"
    )
    documented = served["responses"][status].get("content", {})
    media = documented.get("application/json")
    if media is None:
        if documented:  # a file: its type is one the operation documents
            assert response["Content-Type"].split(";")[0] in documented, response["Content-Type"]
            return
        assert not response.content or response.status_code == 204
        return
    problems = SchemaChecker(document).errors(body_of(response), media["schema"])
    assert problems == [], f"{op.id} answered JSON that does not match its schema: {problems}"


def test_served_document_lists_exactly_the_collected_operations() -> None:
    served = {op.id for op in operations_in(served_document())}
    assert served == {op.id for op in OPERATIONS}


def test_the_table_names_no_operation_that_no_longer_exists() -> None:
    from tests.api import operations as table

    documented = {op.id for op in OPERATIONS}
    paths = {op.path for op in OPERATIONS}
    stale = (
        [p for p in table.PATH_PARAMS if p not in paths]
        + [o for o in [*table.BODIES, *table.QUERIES, *table.ROLES] if o not in documented]
    )  # fmt: skip
    assert stale == [], f"tests/api/operations.py describes operations the API lacks: {stale}"


JSON_BODY_OPS = [op for op in OPERATIONS if op.takes_json]
SECURED_OPS = [op for op in OPERATIONS if op.secured]
UNSAFE_SECURED_OPS = [op for op in SECURED_OPS if op.method in UNSAFE and not op.gateway_only]
GATEWAY_OPS = [op for op in OPERATIONS if op.gateway_only]
PATH_PARAM_OPS = [op for op in OPERATIONS if op.path_params]


@pytest.mark.parametrize("op", JSON_BODY_OPS, ids=_ids)
def test_broken_json_is_400_json(op: Operation) -> None:
    world, call = _built(op)
    client = client_for(world, "bearer", op)
    response = client.generic(
        op.method,
        call.url,
        '{"name": "王',
        content_type="application/json",
        query_params=call.query or None,
    )
    assert_error_json(response, 400, "bad_json")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
@pytest.mark.parametrize("op", JSON_BODY_OPS, ids=_ids)
def test_json_sent_as_another_content_type_is_refused(op: Operation, content_type: str) -> None:
    world, call = _built(op)
    assert isinstance(call.body, Json)
    response = client_for(world, "bearer", op).generic(
        op.method, call.url, json.dumps(call.body.data), content_type=content_type
    )
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert_error_json(response, response.status_code)


@pytest.mark.parametrize("op", UNSAFE_SECURED_OPS, ids=_ids)
def test_session_without_csrf_token_is_403_json(op: Operation) -> None:
    world, call = _built(op)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user)
    response = send(client, op.method, call)
    assert_error_json(response, 403, "csrf_failed")


@pytest.mark.parametrize("op", SECURED_OPS, ids=_ids)
def test_no_credentials_is_401_json(op: Operation) -> None:
    _world, call = _built(op)
    response = send(Client(), op.method, call)
    assert_error_json(response, 401, "unauthenticated")


@pytest.mark.parametrize("op", SECURED_OPS, ids=_ids)
def test_a_wrong_bearer_token_is_401_json(op: Operation) -> None:
    _world, call = _built(op)
    client = Client(headers={"authorization": "Bearer xt_not-a-real-token"})
    assert_error_json(send(client, op.method, call), 401, "unauthenticated")


@pytest.mark.parametrize("auth", ["bearer", "session"])
@pytest.mark.parametrize("op", GATEWAY_OPS, ids=_ids)
def test_a_persons_credentials_do_not_open_a_gateways_operation(op: Operation, auth: str) -> None:
    world, call = _built(op)
    assert_error_json(send(client_for(world, auth), op.method, call), 401, "unauthenticated")


def _unknown(param: dict[str, Any]) -> Any:
    schema = param.get("schema", {})
    if schema.get("type") == "integer":
        return 2_000_000_000
    return uuid.uuid4()


@pytest.mark.parametrize("op", PATH_PARAM_OPS, ids=_ids)
def test_unknown_id_is_404_json(op: Operation) -> None:
    world, call = _built(op)
    unknown = Call(
        url=op.path.format(**{p["name"]: _unknown(p) for p in op.path_params}),
        body=call.body,
        query=call.query,
    )
    response = send(client_for(world, "bearer"), op.method, unknown)
    assert_error_json(response, 404, "not_found")


def test_health_answers_ok_without_credentials() -> None:
    response = Client().get("/api/v1/health")
    assert response.status_code == 200
    assert body_of(response) == {"status": "ok"}


def test_unknown_api_path_is_json_404() -> None:
    response = Client().get("/api/v1/no-such-thing")
    assert_error_json(response, 404, "not_found")
