"""Statement budgets of the referral API (Zulip/Saleor style): a step in at most 12 SQL
statements, a read of one referral in at most 6, a new referral in at most 24, counted from
the request in (the token included) to the answer out, without the savepoints a test's
transaction adds (core/tests/statements.py). Run on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from xietong.core.actor import Actor
from xietong.core.tests.statements import statements_at_most
from xietong.referrals.models import Referral

from .test_api import _body, _client
from .world import World, report_file

pytestmark = pytest.mark.django_db

STEP_BUDGET = 12
READ_BUDGET = 6
CREATE_BUDGET = 24

REASON = {"reason": "患者要求"}


def _down_refer(w: World) -> dict[str, Any]:
    return {
        "down_institution": str(w.county.uuid),
        "instructions": "低盐低脂饮食",
        "follow_up_dates": [],
    }


def _plan_dates(w: World) -> dict[str, Any]:
    from django.utils import timezone

    return {**_down_refer(w), "follow_up_dates": [str(timezone.localdate())]}


# action -> (the state it starts from, who takes it, its path, the body)
STEPS: dict[str, tuple[str, str, str, Callable[[World], dict[str, Any]] | None]] = {
    "accept": ("requested", "desk", "accept", None),
    "acknowledge": ("green", "desk", "acknowledge", None),
    "decline": ("requested", "desk", "decline", lambda w: REASON),
    "propose": ("requested", "desk", "propose", lambda w: {"slot": str(w.slot().uuid)}),
    "proposal_accept": ("proposed", "sender", "proposal-accept", None),
    "proposal_decline": ("proposed", "sender", "proposal-decline", lambda w: REASON),
    "cancel": ("requested", "sender", "cancel", lambda w: REASON),
    "check_in": ("accepted", "desk", "check-in", None),
    "no_show": ("due", "desk", "no-show", None),
    "report": ("arrived_exam", "desk", "report", None),
    "treatment_summary": (
        "arrived", "doctor", "treatment-summary",
        lambda w: {"summary": "支架术后恢复良好", "discharge_diagnosis": "冠心病"},
    ),
    "down_refer": ("treated", "doctor", "down-refer", _plan_dates),
    "down_accept": ("down_requested", "sender", "down-accept", None),
    "down_decline": ("down_requested", "sender", "down-decline", lambda w: REASON),
    "follow_up": ("follow_up", "sender", "follow-up", None),
    "close": ("follow_up", "sender", "close", lambda w: {"outcome": "recovered"}),
}  # fmt: skip


def _referral(world: World, state: str) -> Referral:
    if state == "green":
        return world.to("requested", urgency="emergency")
    if state == "due":
        r = world.to("accepted")
        world.slot_passes(r)
        return r
    if state == "arrived_exam":
        return world.to("arrived", kind="examination")
    return world.to(state)


def _warm(client: Client, r: Referral) -> None:
    """The token's first use of the minute records it; a caller's next ones do not."""
    assert client.get(f"/api/v1/referrals/{r.uuid}/timeline").status_code == 200


@pytest.mark.parametrize("action", sorted(STEPS))
def test_every_step_stays_within_its_statement_budget(world: World, action: str) -> None:
    state, who, path, body = STEPS[action]
    r = _referral(world, state)
    actor: Actor = getattr(world, who)
    client = _client(actor)
    _warm(client, r)
    url = f"/api/v1/referrals/{r.uuid}/{path}"
    data: dict[str, Any] = body(world) if body else {}
    if action == "follow_up":
        data = {"follow_up": r.follow_ups.order_by("due_date").first().pk, "note": "血压平稳"}  # type: ignore[union-attr]
    with statements_at_most(STEP_BUDGET):
        if action == "report":
            answer = client.post(url, {"file": report_file(), "title": "胸部CT报告"})
        elif data:
            answer = client.post(url, data, content_type="application/json")
        else:
            answer = client.post(url)
    assert answer.status_code == 200, answer.content


def test_reading_a_referral_stays_within_its_budget(world: World) -> None:
    r = world.to("follow_up")  # with its plan and follow-up dates, the most it shows
    client = _client(world.desk)
    _warm(client, r)
    with statements_at_most(READ_BUDGET):
        answer = client.get(f"/api/v1/referrals/{r.uuid}")
    assert answer.status_code == 200
    assert len(answer.json()["plan"]["follow_ups"]) == 2


def test_a_new_referral_stays_within_its_budget(world: World) -> None:
    client = _client(world.sender)
    _warm(client, world.to("requested"))
    body = _body(world, world.slot().uuid)
    with statements_at_most(CREATE_BUDGET):
        answer = client.post("/api/v1/referrals", body, content_type="application/json")
    assert answer.status_code == 201, answer.content
