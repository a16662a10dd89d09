"""Statement budgets of the consultation API (Zulip/Saleor style): a transition in at most 12
SQL statements, a read of the workspace in at most 6, counted from the request in (the
token included) to the answer out, without the savepoints a test's transaction adds
(core/tests/statements.py). Run on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from xietong.accounts.tests.factories import PASSWORD
from xietong.consultations import services as s
from xietong.consultations.models import Consultation
from xietong.core.actor import Actor
from xietong.core.tests.statements import statements_at_most

from .test_api import Api
from .world import COMPLETE, World, a_slot

pytestmark = pytest.mark.django_db

TRANSITION_BUDGET = 12
READ_BUDGET = 6


def _warm(api: Api, c: Consultation) -> None:
    """The token's first use of the minute records it; a caller's next ones do not."""
    assert api.get(f"/{c.uuid}/timeline").status_code == 200


@dataclass(frozen=True)
class Case:
    state: str  # the state the consultation is driven to first
    who: str  # the world's actor who calls
    method: str
    path: str  # after /api/v1/consultations/{uuid}
    body: Callable[[World], dict[str, Any]] | None = None
    overrides: tuple[tuple[str, str], ...] = ()


CASES: dict[str, Case] = {
    "update": Case("draft", "requester", "patch", "", lambda w: {"history": "高血压10年"}),
    "submit": Case("draft", "requester", "post", "/submit"),
    "qc_return": Case("submitted", "qc", "post", "/qc-return", lambda w: {"comment": "缺心电图"}),
    "resubmit": Case("returned", "requester", "post", "/resubmit"),
    "qc_pass": Case("submitted", "qc", "post", "/qc-pass"),
    "triage": Case(
        "triage",
        "coordinator",
        "post",
        "/triage",
        lambda w: {"experts": [str(w.expert.practitioner.uuid)]},
    ),
    "accept": Case("assigned", "expert_actor", "post", "/accept"),
    "decline": Case("assigned", "expert_actor", "post", "/decline", lambda w: {"reason": "出差"}),
    "schedule": Case(
        "accepted",
        "coordinator",
        "post",
        "/schedule",
        lambda w: {"slot": str(a_slot(w).uuid)},
        (("mode", "realtime"),),
    ),
    "reschedule": Case(
        "scheduled", "coordinator", "post", "/reschedule", lambda w: {"slot": str(a_slot(w).uuid)}
    ),
    "start": Case("accepted", "expert_actor", "post", "/start"),
    "opinion_save": Case(
        "in_progress", "expert_actor", "put", "/opinion", lambda w: {"diagnosis": "心绞痛"}
    ),
    "acknowledge": Case(
        "opinion_signed", "requester", "post", "/acknowledge", lambda w: {"rating": 4}
    ),
    "cancel": Case("triage", "requester", "post", "/cancel", lambda w: {"reason": "病情变化"}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_transition_stays_within_its_budget(world: World, name: str) -> None:
    case = CASES[name]
    c = world.to(case.state, **dict(case.overrides))
    actor: Actor = getattr(world, case.who)
    api = Api(actor)
    body = case.body(world) if case.body else {}
    _warm(api, c)
    with statements_at_most(TRANSITION_BUDGET):
        answer = api.send(case.method, f"/{c.uuid}{case.path}", body)
    assert answer.status_code == 200, answer.json()


def test_signing_the_opinion_stays_within_a_transition_s_budget(world: World) -> None:
    c = world.to("in_progress")
    s.consultation_opinion_draft_save(
        actor=world.expert_actor, consultation=c, diagnosis="心绞痛", recommendations="冠脉造影"
    )
    api = Api(world.expert_actor)
    _warm(api, c)
    with statements_at_most(TRANSITION_BUDGET):
        answer = api.post(f"/{c.uuid}/opinion/sign", {"password": PASSWORD})
    assert answer.status_code == 200, answer.json()


def test_a_new_request_stays_within_a_transition_s_budget(world: World) -> None:
    api = Api(world.requester)
    body = {
        "patient": str(world.patient.uuid),
        **COMPLETE,
        "wanted_department": world.department.code,
    }
    _warm(api, world.to("draft"))
    with statements_at_most(TRANSITION_BUDGET):
        answer = api.post("", body)
    assert answer.status_code == 201, answer.json()


@pytest.mark.parametrize("who", ["requester", "qc", "coordinator", "expert_actor"])
def test_reading_the_workspace_stays_within_a_read_s_budget(world: World, who: str) -> None:
    c = world.to("in_progress")
    api = Api(getattr(world, who))
    _warm(api, c)
    with statements_at_most(READ_BUDGET):
        answer = api.get(f"/{c.uuid}")
    assert answer.status_code == 200, answer.json()
