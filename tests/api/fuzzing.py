"""Fuzzing the API in process with schemathesis, for the fuzz test and bench/fuzz.py.

Each operation is called as a signed-in user would call it: a bearer token of the role the
contract table (tests/api/operations.py) names, and, in most cases, path parameters naming
real objects in the state the operation needs, so that generated bodies and queries reach
the services instead of stopping at 404. Two sources of cases: schemathesis' coverage
cases (boundaries, wrong types, missing fields: deterministic) and Hypothesis' fuzzing in
both the positive and the negative mode. A finding is a 5xx answer or an answer the
document does not declare (status, content type or body shape)."""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.generation.case import Case
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.generation.overrides import Override
from schemathesis.schemas import APIOperation, BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.operations import PATH_PARAMS, ROLES, World, world_build

SERVER_ERROR = "server_error"
SCHEMA_VIOLATION = "schema_violation"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


def fuzz_schema() -> BaseSchema:
    """The API's document as it is served (JSON: string status codes), loaded in process."""
    from config.api import api

    return schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema())))


def operation_id(op: APIOperation) -> str:
    return f"{op.method.upper()} {op.path}"


def operations(schema: BaseSchema) -> list[APIOperation]:
    return [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]


@dataclass
class Finding:
    operation: str
    kind: str  # SERVER_ERROR or SCHEMA_VIOLATION
    status: int
    detail: str

    def __str__(self) -> str:
        return f"{self.operation} [{self.status}] {self.kind}:\n{self.detail}"


@dataclass
class Target:
    """One operation, the user who calls it and the objects its path names."""

    op: APIOperation
    world: World
    path_parameters: dict[str, str] | None
    findings: list[Finding] = field(default_factory=list)
    cases: int = 0

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.world.token_key}"}


def target_build(op: APIOperation) -> Target:
    """The operation's caller and objects; without a table entry the path stays generated."""
    world = world_build(ROLES.get(operation_id(op), "requester"))
    make = PATH_PARAMS.get(op.path)
    params = {k: str(v) for k, v in make(world).items()} if make else None
    return Target(op=op, world=world, path_parameters=params)


@contextmanager
def in_process() -> Iterator[tuple[WSGIHandler, list[str]]]:
    """Django's WSGI handler answering in this thread, on the test's database connection,
    and the tracebacks of the requests that raised. As Django's test client does, the
    connection is not closed at the end of each request: it holds the test's transaction."""
    tracebacks: list[str] = []

    def keep(sender: Any, request: Any = None, **kwargs: Any) -> None:
        tracebacks.append(traceback.format_exc())

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(keep)
    try:
        yield WSGIHandler(), tracebacks
    finally:
        got_request_exception.disconnect(keep)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def case_run(target: Target, case: Case, app: WSGIHandler, tracebacks: list[str]) -> None:
    """Sends `case` and records what the checks find wrong with the answer."""
    target.cases += 1
    before = len(tracebacks)
    # A savepoint per call: a call that failed in the database leaves PostgreSQL's
    # transaction aborted, and every later call would fail for that reason alone.
    savepoint = transaction.savepoint()
    response = case.call(app=app, headers=target.headers)
    if len(tracebacks) > before:
        transaction.savepoint_rollback(savepoint)
        transaction.set_rollback(False)
    else:
        transaction.savepoint_commit(savepoint)
    try:
        case.validate_response(response, checks=CHECKS, headers=target.headers)
    except FailureGroup as group:
        kind = SERVER_ERROR if response.status_code >= 500 else SCHEMA_VIOLATION
        detail = str(group)
        if len(tracebacks) > before:
            detail += "\n" + tracebacks[-1]
        target.findings.append(Finding(operation_id(target.op), kind, response.status_code, detail))


def _with_real_path(target: Target, case: Case, index: int) -> Case:
    # One case in four keeps its generated path, so malformed and unknown ids are tried too.
    if target.path_parameters and index % 4 != 3:
        case.path_parameters = {**(case.path_parameters or {}), **target.path_parameters}
    return case


def coverage_cases(op: APIOperation, *, most: int) -> list[Case]:
    """At most `most` of schemathesis' coverage cases, spread evenly over all of them."""
    generator = CoverageGenerator(
        operation=op,
        generation_modes=MODES,
        generation_config=op.schema.config.generation_for(operation=op, phase="coverage"),
        auth_storage=None,
        override=Override(),
        feedback=FeedbackSources(),
    )
    every = list(generator)
    if len(every) <= most:
        return every
    step = len(every) / most
    return [every[int(i * step)] for i in range(most)]


def fuzz(
    target: Target, *, coverage: int, examples: int, seed: int | None = None,
    on_case: Callable[[], None] | None = None,
) -> Target:  # fmt: skip
    """Runs up to `coverage` coverage cases and `examples` fuzzed ones against `target`."""
    with in_process() as (app, tracebacks):
        for index, case in enumerate(coverage_cases(target.op, most=coverage)):
            case_run(target, _with_real_path(target, case, index), app, tracebacks)
            if on_case:
                on_case()
        if examples:
            drawn = st.one_of([target.op.as_strategy(mode) for mode in MODES])
            counter = iter(range(10**9))

            @settings(
                max_examples=examples, database=None, deadline=None, derandomize=seed is None,
                suppress_health_check=list(HealthCheck),
            )  # fmt: skip
            @given(case=drawn)
            def run(case: Case) -> None:
                case_run(target, _with_real_path(target, case, next(counter)), app, tracebacks)
                if on_case:
                    on_case()

            if seed is not None:
                run = schemathesis_seed(run, seed)
            run()
    return target


def schemathesis_seed(test: Callable[[], None], seed: int) -> Callable[[], None]:
    from hypothesis import seed as hypothesis_seed

    seeded: Callable[[], None] = hypothesis_seed(seed)(test)
    return seeded
