"""Every transition of the table, and every pair the table refuses (generated from it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from xietong.accounts.tests.factories import PASSWORD
from xietong.consultations import services as s
from xietong.consultations.models import Consultation, ConsultationEvent, Status
from xietong.consultations.selectors import consultations_for
from xietong.consultations.services._core import MACHINE
from xietong.consultations.workflow import FHIR, TABLE, Action, fhir_status
from xietong.core.actor import Actor
from xietong.core.errors import Conflict, NotFound, NotPermitted

from .world import World, a_slot, member

pytestmark = pytest.mark.django_db

Perform = Callable[[World, Consultation], Any]


def _sign(w: World, c: Consultation) -> Any:
    return s.consultation_opinion_sign(actor=w.expert_actor, consultation=c, password=PASSWORD)


# Who performs each action, as the person who normally would.
PERFORM: dict[Action, Perform] = {
    Action.UPDATE: lambda w, c: s.consultation_update(
        actor=w.requester, consultation=c, history="高血压10年"
    ),
    Action.SUBMIT: lambda w, c: s.consultation_submit(actor=w.requester, consultation=c),
    Action.QC_PASS: lambda w, c: s.consultation_qc_pass(actor=w.qc, consultation=c),
    Action.QC_RETURN: lambda w, c: s.consultation_qc_return(
        actor=w.qc, consultation=c, comment="缺心电图"
    ),
    Action.RESUBMIT: lambda w, c: s.consultation_resubmit(actor=w.requester, consultation=c),
    Action.TRIAGE_ASSIGN: lambda w, c: s.consultation_triage_assign(
        actor=w.coordinator, consultation=c, experts=[w.more_expert()[0]]
    ),
    Action.EXPERT_ACCEPT: lambda w, c: s.consultation_expert_accept(
        actor=w.expert_actor, consultation=c
    ),
    Action.EXPERT_DECLINE: lambda w, c: s.consultation_expert_decline(
        actor=w.expert_actor, consultation=c, reason="出差"
    ),
    Action.SCHEDULE: lambda w, c: s.consultation_schedule(
        actor=w.coordinator, consultation=c, slot=a_slot(w)
    ),
    Action.RESCHEDULE: lambda w, c: s.consultation_reschedule(
        actor=w.coordinator, consultation=c, slot=a_slot(w, in_hours=72)
    ),
    Action.START: lambda w, c: s.consultation_start(actor=w.expert_actor, consultation=c),
    Action.OPINION_SAVE: lambda w, c: s.consultation_opinion_draft_save(
        actor=w.expert_actor, consultation=c, diagnosis="心绞痛"
    ),
    Action.OPINION_SIGN: _sign,
    Action.OPINION_CORRECT: lambda w, c: s.consultation_opinion_correct(
        actor=w.expert_actor,
        consultation=c,
        reason="笔误",
        password=PASSWORD,
        follow_up="两周后复诊",
    ),
    Action.ACKNOWLEDGE: lambda w, c: s.consultation_acknowledge(
        actor=w.requester, consultation=c, rating=5
    ),
    Action.CANCEL: lambda w, c: s.consultation_cancel(
        actor=w.requester, consultation=c, reason="患者转院"
    ),
}
PERFORMER: dict[Action, Callable[[World], Actor]] = {
    **dict.fromkeys(
        (Action.UPDATE, Action.SUBMIT, Action.RESUBMIT, Action.ACKNOWLEDGE, Action.CANCEL),
        lambda w: w.requester,
    ),
    **dict.fromkeys((Action.QC_PASS, Action.QC_RETURN), lambda w: w.qc),
    **dict.fromkeys(
        (Action.TRIAGE_ASSIGN, Action.SCHEDULE, Action.RESCHEDULE), lambda w: w.coordinator
    ),
    **dict.fromkeys(
        (
            Action.EXPERT_ACCEPT,
            Action.EXPERT_DECLINE,
            Action.START,
            Action.OPINION_SAVE,
            Action.OPINION_SIGN,
            Action.OPINION_CORRECT,
        ),
        lambda w: w.expert_actor,
    ),
}
# Made by the platform inside another service, never called on their own.
SYSTEM = {Action.DIRECT_ASSIGN, Action.ALL_ACCEPTED, Action.OPINION_PART_SIGN}
# The MDT-only part signature is tested in test_opinions_mdt.py.


def _setup(w: World, state: str, action: Action) -> Consultation:
    if action == Action.SCHEDULE:
        return w.to(state, mode="realtime")  # only real-time sessions are booked
    c = w.to(state)
    if action == Action.OPINION_SIGN:
        s.consultation_opinion_draft_save(
            actor=w.expert_actor, consultation=c, diagnosis="心绞痛", recommendations="冠脉造影"
        )
    return c


ALLOWED = sorted((st.value, a.value) for (st, a) in TABLE if a not in SYSTEM)


@pytest.mark.parametrize(("state", "action"), ALLOWED)
def test_transition(world: World, state: str, action: str) -> None:
    c = _setup(world, state, Action(action))
    before = ConsultationEvent.objects.filter(consultation=c).count()
    PERFORM[Action(action)](world, c)
    c.refresh_from_db()
    expected = TABLE[(Status(state), Action(action))].next
    # An MDT-free accept completes the answering: the platform moves it on to accepted.
    if action == Action.EXPERT_ACCEPT:
        expected = Status.ACCEPTED
    assert c.status == expected
    event = ConsultationEvent.objects.filter(consultation=c, action=action).latest("id")
    assert event.from_status == state
    assert ConsultationEvent.objects.filter(consultation=c).count() > before
    if action not in (Action.UPDATE, Action.OPINION_SAVE):
        assert event.notified, "every transition tells someone"


STATES = [st.value for st in Status]
FORBIDDEN = sorted(
    (st, a.value) for st in STATES for a in PERFORM if a not in MACHINE.allowed_actions(st)
)


@pytest.mark.parametrize(("state", "action"), FORBIDDEN)
def test_forbidden_transition_changes_nothing(world: World, state: str, action: str) -> None:
    c = world.to(state)
    events = ConsultationEvent.objects.filter(consultation=c).count()
    with pytest.raises((Conflict, NotFound)) as refused:
        PERFORM[Action(action)](world, c)
    fresh = Consultation.objects.get(pk=c.pk)
    assert fresh.status == state
    assert ConsultationEvent.objects.filter(consultation=c).count() == events
    if isinstance(refused.value, NotFound):
        # Only where the performer may not see it at all: a draft is the requester's alone,
        # and an expert sees a consultation only while assigned.
        performer = PERFORMER[Action(action)](world)
        assert not consultations_for(actor=performer).filter(pk=c.pk).exists()
    else:
        assert refused.value.status == 409
        assert str(refused.value)


def test_a_role_that_never_acts_is_403_and_the_wrong_party_409(world: World) -> None:
    c = world.to("submitted")
    # The requester can see it, but their role never passes a quality check.
    with pytest.raises(NotPermitted) as refused:
        s.consultation_qc_pass(actor=world.requester, consultation=c)
    assert refused.value.code == "role_may_not"
    # A coordinator sees it but is not QC.
    with pytest.raises(NotPermitted):
        s.consultation_qc_pass(actor=world.coordinator, consultation=c)
    assert Consultation.objects.get(pk=c.pk).status == Status.SUBMITTED
    # A doctor of the centre who is also its QC officer sees a returned request, and doctors
    # amend requests, but this one is not theirs: the wrong party, 409.
    returned = world.to("returned")
    both = member(world.centre, "qc", "requester")
    with pytest.raises(Conflict) as wrong_party:
        s.consultation_update(actor=both, consultation=returned, history="x")
    assert wrong_party.value.code == "wrong_party" and wrong_party.value.status == 409


def test_every_state_maps_onto_fhir() -> None:
    task = {
        "draft",
        "requested",
        "received",
        "accepted",
        "rejected",
        "ready",
        "cancelled",
        "in-progress",
        "on-hold",
        "failed",
        "completed",
        "entered-in-error",
    }
    request = {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
    assert set(FHIR) == set(Status)
    for state in Status:
        mapped = fhir_status(state)
        assert mapped.task_status in task and mapped.request_status in request
        assert mapped.business_status


def test_centre_cannot_cancel_a_draft_it_never_received(world: World) -> None:
    c = world.to("draft")
    with pytest.raises(NotFound):
        s.consultation_cancel(actor=world.coordinator, consultation=c, reason="x")


def test_qc_who_is_also_requester_elsewhere_cannot_act_for_another_centre(world: World) -> None:
    c = world.to("submitted")
    stranger = member(world.county, "qc")
    with pytest.raises(NotFound):
        s.consultation_qc_pass(actor=stranger, consultation=c)
