"""The workflow engine (xietong/core/workflow/), run on a small table of its own. The table
tests are generated from the table: every (state, action, party, role) is checked."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from xietong.accounts.tests.factories import make_actor
from xietong.core.actor import Actor
from xietong.core.errors import Conflict, NotFound, NotPermitted
from xietong.core.events import event_subscribe
from xietong.core.models import AuditEvent, BusinessCounter
from xietong.core.workflow import business_number_next
from xietong.directory.models import Institution

from . import workflow_ticket as w
from .workflow_ticket import MACHINE, TABLE, Ticket, TicketState

STATES = list(TicketState.values)
ACTIONS = sorted({action for (_state, action) in TABLE})
PARTIES = ["author", "desk", "system", "stranger"]
ROLES = ["requester", "referral_desk", "expert"]


def _expected(state: str, action: str, party: str, role: str) -> str | None:
    transition = MACHINE.table.get((state, action))
    if transition is None:
        return None
    for who, needed in transition.who:
        if who == party and (not needed or role in needed):
            return str(transition.next)
    return None


@pytest.mark.parametrize(
    ("state", "action", "party", "role"), list(itertools.product(STATES, ACTIONS, PARTIES, ROLES))
)
def test_the_table_decides_every_state_action_party_and_role(
    state: str, action: str, party: str, role: str
) -> None:
    expected = _expected(state, action, party, role)
    kw: dict[str, Any] = {"state": state, "action": action}
    if expected is not None:
        assert MACHINE.transition_for(**kw, parties={party}, roles={role}) == expected
        assert MACHINE.may(**kw, parties={party}, roles=frozenset({role}))
        return
    assert not MACHINE.may(**kw, parties={party}, roles=frozenset({role}))
    with pytest.raises((Conflict, NotPermitted)) as refused:
        MACHINE.transition_for(**kw, parties={party}, roles={role})
    # The house rule: a role that never takes the action may not start it (403); else the
    # wrong state or the wrong party is a conflict with the object as it is (409).
    role_ever = party == "system" or any(
        needed and role in needed
        for (_s, act), t in TABLE.items()
        if act == action
        for _p, needed in t.who
    )
    if not role_ever:
        assert (refused.value.status, refused.value.code) == (403, "role_may_not")
    elif (state, action) in TABLE:
        assert (refused.value.status, refused.value.code) == (409, "wrong_party")
    else:
        assert (refused.value.status, refused.value.code) == (409, "wrong_state")


@pytest.mark.parametrize("state", STATES)
def test_allowed_actions_are_the_table_rows_of_a_state(state: str) -> None:
    assert sorted(MACHINE.allowed_actions(state)) == sorted(a for (s, a) in TABLE if s == state)


def _ticket(author: Actor, desk: Actor, **kw: Any) -> Ticket:
    return Ticket.objects.create(
        author_institution_id=author.institution_id,
        desk_institution_id=desk.institution_id,
        number=business_number_next(prefix="TK", day=dt.date(2026, 12, 3)),
        **kw,
    )


@pytest.fixture
def people(db: None) -> dict[str, Actor]:
    w.timeline.clear()
    w.told.clear()
    w.changed.clear()
    return {
        "author": make_actor("requester"),
        "desk": make_actor("referral_desk"),
        "stranger": make_actor("requester"),
        "desk_doctor": make_actor("expert"),
    }


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("who", ["author", "desk", "stranger", "desk_doctor"])
def test_actions_for_is_what_this_person_may_do_now(
    people: dict[str, Actor], state: str, who: str
) -> None:
    desk_doctor_institution = people["desk"].institution_id
    actor = people[who]
    if who == "desk_doctor":  # the desk's institution, without the desk's role
        actor = Actor(**{**actor.__dict__, "institution_id": desk_doctor_institution})
    ticket = _ticket(people["author"], people["desk"], status=state)
    party = {"author": "author", "desk": "desk", "desk_doctor": "desk"}.get(who, "stranger")
    if party == "desk" and state == TicketState.OPEN:
        party = "stranger"  # the desk has not received it yet
    role = next(iter(actor.roles))
    expected = [a for a in MACHINE.allowed_actions(state) if _expected(state, a, party, role)]
    assert MACHINE.actions_for(actor=actor, obj=ticket) == expected


def test_an_action_that_does_not_fit_the_object_is_not_offered(
    people: dict[str, Actor],
) -> None:
    ticket = _ticket(people["author"], people["desk"], status=TicketState.SENT)
    assert "return" in MACHINE.actions_for(actor=people["desk"], obj=ticket)
    ticket.note = "see the attached scan"
    assert MACHINE.actions_for(actor=people["desk"], obj=ticket) == ["accept", "cancel"]


def test_a_step_locks_once_changes_audits_and_tells(
    people: dict[str, Actor], django_capture_on_commit_callbacks: Any
) -> None:
    author, desk = people["author"], people["desk"]
    ticket = _ticket(author, desk)
    emitted: list[dict[str, Any]] = []
    event_subscribe("ticket.send")(lambda name, payload: emitted.append(payload))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with CaptureQueriesContext(connection) as begin:
            step = MACHINE.step_begin(actor=author, obj=ticket, action="send")
        assert len(begin.captured_queries) == 1
        step.reason = "please look"
        with CaptureQueriesContext(connection) as finish:
            sent = MACHINE.step_finish(
                step, notify=[author.user_id, desk.user_id], title="sent", urgent=True
            )
    update = next(q["sql"] for q in finish.captured_queries if q["sql"].startswith("UPDATE"))
    assert "note" not in update  # only the fields that changed are written
    sent.refresh_from_db()
    assert sent.status == TicketState.SENT
    assert sent.sent_at == sent.status_changed_at
    assert sent.done_at is None
    audit = AuditEvent.objects.get(action="ticket.send")
    assert audit.detail == {
        "number": ticket.number,
        "from": "open",
        "to": "sent",
        "reason": "please look",
    }
    assert audit.user_id == author.user_id
    assert w.timeline == [("send", "open", "sent", [desk.user_id])]
    assert w.told == [([desk.user_id], "sent", True)]
    assert w.changed == ["send"]
    assert emitted == [{"ticket": str(ticket.uuid), "status": "sent"}]


def test_someone_who_may_not_see_the_object_meets_not_found(people: dict[str, Actor]) -> None:
    ticket = _ticket(people["author"], people["desk"])
    with pytest.raises(NotFound), transaction.atomic():
        MACHINE.step_begin(actor=people["stranger"], obj=ticket, action="send")
    # The desk does not see a ticket before it is sent.
    with pytest.raises(NotFound), transaction.atomic():
        MACHINE.step_begin(actor=people["desk"], obj=ticket, action="accept")


@pytest.fixture
def english() -> Any:
    with translation.override("en"):
        yield


def test_a_role_that_never_acts_is_403_the_wrong_state_or_party_409(
    people: dict[str, Actor], english: None
) -> None:
    ticket = _ticket(people["author"], people["desk"], status=TicketState.SENT)
    with pytest.raises(NotPermitted) as never, transaction.atomic():
        MACHINE.step_begin(actor=people["author"], obj=ticket, action="accept")
    assert never.value.code == "role_may_not"
    assert str(never.value.message) == "Your role may not accept."
    # The author's own institution has a desk officer too, who is not this ticket's desk.
    author_institution = Institution.objects.get(pk=people["author"].institution_id or 0)
    own_desk = make_actor("referral_desk", institution=author_institution)
    with pytest.raises(Conflict) as wrong_party, transaction.atomic():
        MACHINE.step_begin(actor=own_desk, obj=ticket, action="accept")
    assert wrong_party.value.code == "wrong_party"
    assert str(wrong_party.value.message) == "You cannot accept this ticket in your role."
    with pytest.raises(Conflict) as wrong_state, transaction.atomic():
        MACHINE.step_begin(actor=people["author"], obj=ticket, action="send")
    assert wrong_state.value.code == "wrong_state"
    assert str(wrong_state.value.message) == "Cannot send: the ticket is sent."


def test_a_change_a_moment_ago_is_named(people: dict[str, Actor], english: None) -> None:
    author, desk = people["author"], people["desk"]
    seen = _ticket(author, desk)
    Ticket.objects.filter(pk=seen.pk).update(status=TicketState.SENT)
    with pytest.raises(Conflict) as refused, transaction.atomic():
        MACHINE.step_begin(actor=author, obj=seen, action="send")
    assert refused.value.code == "changed_meanwhile"
    assert str(refused.value.message) == (
        "Someone acted on this ticket a moment ago: it is now sent, so you cannot send."
    )
    # The desk saw it sent; the author took it back and the desk no longer sees it.
    sent = Ticket.objects.get(pk=seen.pk)
    Ticket.objects.filter(pk=seen.pk).update(status=TicketState.OPEN)
    with pytest.raises(Conflict) as lost, transaction.atomic():
        MACHINE.step_begin(actor=desk, obj=sent, action="accept")
    assert str(lost.value.message) == "Someone acted on this ticket a moment ago: it is now open."


def test_a_system_step_is_the_platform_s_attributed_to_who_set_it_off(
    people: dict[str, Actor],
) -> None:
    author, desk = people["author"], people["desk"]
    ticket = _ticket(author, desk, status=TicketState.SENT)
    with pytest.raises(NotPermitted), transaction.atomic():
        MACHINE.step_begin(actor=desk, obj=ticket, action="expire")
    with transaction.atomic():
        locked = MACHINE.lock(actor=desk, obj=ticket)
        step = MACHINE.step_system(obj=locked, action="expire", actor=desk)
        MACHINE.step_finish(step, notify=[author.user_id], title="expired")
    assert Ticket.objects.get(pk=ticket.pk).status == TicketState.CLOSED
    assert AuditEvent.objects.get(action="ticket.expire").user_id == desk.user_id


def test_business_numbers_count_per_prefix_and_day(db: None) -> None:
    day, next_day = dt.date(2026, 12, 3), dt.date(2026, 12, 4)
    BusinessCounter.objects.create(prefix="HZ", day=day, last=41)
    assert business_number_next(prefix="HZ", day=day) == "HZ-20261203-0042"
    assert business_number_next(prefix="HZ", day=day) == "HZ-20261203-0043"
    assert business_number_next(prefix="ZZ", day=day) == "ZZ-20261203-0001"
    assert business_number_next(prefix="HZ", day=next_day) == "HZ-20261204-0001"
    with CaptureQueriesContext(connection) as one:
        business_number_next(prefix="ZZ", day=day)
    assert len(one.captured_queries) == 1


def test_refusals_are_worded_in_the_user_s_language(people: dict[str, Actor]) -> None:
    ticket = _ticket(people["author"], people["desk"], status=TicketState.SENT)
    with translation.override("zh-hans"), pytest.raises(Conflict) as refused:
        MACHINE.transition_for(
            state=ticket.status, action="send", parties={"author"}, roles={"requester"}
        )
    assert str(refused.value.message) == "无法执行“send”：该ticket当前状态为“sent”。"
