"""The one transition table of a referral, its parties, its labels, which actions fit which
referral, and the mapping onto FHIR.

(state, action) -> Transition(next state, who may act: (party, roles) pairs). Nothing else
assigns Referral.status: the services step through the workflow engine's machine built from
this table (services/_core.py, core/workflow)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import pgettext_lazy

from xietong.core.workflow import Transition

from .models import Status

if TYPE_CHECKING:
    from xietong.core.actor import Actor

    from .models import Referral

S = Status


class Party(StrEnum):
    SENDER = "sender"  # a doctor of the sending institution
    DESK = "desk"  # the receiving institution's referral desk (or coordinator)
    RECEIVER = "receiver"  # a doctor of the receiving institution
    DOWN = "down"  # the institution the patient is referred back down to
    SYSTEM = "system"


class Action(StrEnum):
    ACCEPT = "accept"
    ACKNOWLEDGE = "acknowledge"
    DECLINE = "decline"
    PROPOSE = "propose"
    PROPOSAL_ACCEPT = "proposal_accept"
    PROPOSAL_DECLINE = "proposal_decline"
    CHECK_IN = "check_in"
    NO_SHOW = "no_show"
    REPORT = "report"
    TREATMENT_SUMMARY = "treatment_summary"
    DOWN_REFER = "down_refer"
    DOWN_ACCEPT = "down_accept"
    DOWN_DECLINE = "down_decline"
    FOLLOW_UP = "follow_up"
    CLOSE = "close"
    CANCEL = "cancel"


ACTION_LABELS = {
    Action.ACCEPT: pgettext_lazy("referral", "accept"),
    Action.ACKNOWLEDGE: pgettext_lazy("referral", "acknowledge the green-channel referral"),
    Action.DECLINE: pgettext_lazy("referral", "decline"),
    Action.PROPOSE: pgettext_lazy("referral", "propose another time"),
    Action.PROPOSAL_ACCEPT: pgettext_lazy("referral", "accept the proposed time"),
    Action.PROPOSAL_DECLINE: pgettext_lazy("referral", "decline the proposed time"),
    Action.CHECK_IN: pgettext_lazy("referral", "check the patient in"),
    Action.NO_SHOW: pgettext_lazy("referral", "mark as not come"),
    Action.REPORT: pgettext_lazy("referral", "upload the examination report"),
    Action.TREATMENT_SUMMARY: pgettext_lazy("referral", "write the treatment summary"),
    Action.DOWN_REFER: pgettext_lazy("referral", "refer back down"),
    Action.DOWN_ACCEPT: pgettext_lazy("referral", "accept the down-referral"),
    Action.DOWN_DECLINE: pgettext_lazy("referral", "decline the down-referral"),
    Action.FOLLOW_UP: pgettext_lazy("referral", "record a follow-up visit"),
    Action.CLOSE: pgettext_lazy("referral", "close the referral"),
    Action.CANCEL: pgettext_lazy("referral", "cancel"),
}

DOCTOR_ROLES = frozenset({"requester", "expert"})
DESK_ROLES = frozenset({"referral_desk", "coordinator"})

SENDER = (Party.SENDER, frozenset({"requester"}))
DESK = (Party.DESK, DESK_ROLES)
RECEIVER = (Party.RECEIVER, DOCTOR_ROLES)
DOWN = (Party.DOWN, DOCTOR_ROLES | {"referral_desk"})

TABLE: dict[tuple[Status, Action], Transition] = {
    (S.REQUESTED, Action.ACCEPT): Transition(S.ACCEPTED, (DESK,)),
    (S.REQUESTED, Action.ACKNOWLEDGE): Transition(S.ACCEPTED, (DESK, RECEIVER)),
    (S.REQUESTED, Action.DECLINE): Transition(S.DECLINED, (DESK,)),
    (S.REQUESTED, Action.PROPOSE): Transition(S.PROPOSED, (DESK,)),
    (S.PROPOSED, Action.PROPOSAL_ACCEPT): Transition(S.ACCEPTED, (SENDER,)),
    (S.PROPOSED, Action.PROPOSAL_DECLINE): Transition(S.CANCELLED, (SENDER,)),
    (S.ACCEPTED, Action.CHECK_IN): Transition(S.ARRIVED, (DESK,)),
    (S.ACCEPTED, Action.NO_SHOW): Transition(S.NO_SHOW, (DESK,)),
    (S.ARRIVED, Action.REPORT): Transition(S.REPORTED, (DESK, RECEIVER)),
    (S.ARRIVED, Action.TREATMENT_SUMMARY): Transition(S.TREATED, (RECEIVER,)),
    (S.TREATED, Action.DOWN_REFER): Transition(S.DOWN_REQUESTED, (RECEIVER,)),
    (S.DOWN_REQUESTED, Action.DOWN_ACCEPT): Transition(S.FOLLOW_UP, (DOWN,)),
    # Declined down-referrals come back to the treating doctor, who may choose another.
    (S.DOWN_REQUESTED, Action.DOWN_DECLINE): Transition(S.TREATED, (DOWN,)),
    (S.FOLLOW_UP, Action.FOLLOW_UP): Transition(S.FOLLOW_UP, (DOWN,)),
    # The loop closes: the requester decides after an examination report, the treating
    # doctor (or the requester) when no down-referral is needed, the lower institution
    # when follow-up ends.
    (S.REPORTED, Action.CLOSE): Transition(S.CLOSED, (SENDER,)),
    (S.TREATED, Action.CLOSE): Transition(S.CLOSED, (RECEIVER, SENDER)),
    (S.FOLLOW_UP, Action.CLOSE): Transition(S.CLOSED, (DOWN,)),
    **{
        (state, Action.CANCEL): Transition(S.CANCELLED, (SENDER,))
        for state in (S.REQUESTED, S.PROPOSED, S.ACCEPTED)
    },
}

TERMINAL = frozenset({S.DECLINED, S.NO_SHOW, S.CLOSED, S.CANCELLED})
# The receiving side still has to answer.
AWAITING_DESK = (S.REQUESTED,)


# ------------------------------------------------------------------ FHIR

BSER_CREATED = "2.0"
BSER_ACCEPTED = "3.0"
BSER_DECLINED = "4.0"
BSER_SCHEDULED = "5.1.1"
BSER_UNATTENDED = "5.1.2"
BSER_EVENT_COMPLETED = "5.1.4"
BSER_CANCELLED = "6.0"
BSER_COMPLETED = "7.0"

BSER_DISPLAY = {
    BSER_CREATED: "Created",
    BSER_ACCEPTED: "Accepted",
    BSER_DECLINED: "Declined",
    BSER_SCHEDULED: "Event Scheduled",
    BSER_UNATTENDED: "Scheduled Event Unattended",
    BSER_EVENT_COMPLETED: "Event Completed",
    BSER_CANCELLED: "Fulfillment Cancelled",
    BSER_COMPLETED: "Fulfillment Completed",
}


@dataclass(frozen=True)
class FhirStatus:
    task_status: str
    business_status: str  # a BSeR code, or ours where BSeR has none
    request_status: str


# The up-referral's Task. The down-referral is a second Task (see fhir.py).
FHIR: dict[Status, FhirStatus] = {
    S.REQUESTED: FhirStatus("requested", BSER_CREATED, "active"),
    S.PROPOSED: FhirStatus("received", "proposed-other-slot", "active"),
    S.ACCEPTED: FhirStatus("accepted", BSER_SCHEDULED, "active"),
    S.DECLINED: FhirStatus("rejected", BSER_DECLINED, "revoked"),
    S.ARRIVED: FhirStatus("in-progress", BSER_EVENT_COMPLETED, "active"),
    S.NO_SHOW: FhirStatus("failed", BSER_UNATTENDED, "revoked"),
    S.REPORTED: FhirStatus("completed", BSER_COMPLETED, "active"),
    S.TREATED: FhirStatus("completed", BSER_COMPLETED, "active"),
    S.DOWN_REQUESTED: FhirStatus("completed", BSER_COMPLETED, "active"),
    S.FOLLOW_UP: FhirStatus("completed", BSER_COMPLETED, "active"),
    S.CLOSED: FhirStatus("completed", BSER_COMPLETED, "completed"),
    S.CANCELLED: FhirStatus("cancelled", BSER_CANCELLED, "revoked"),
}


def fhir_status(state: str, *, green_channel: bool = False) -> FhirStatus:
    status = FHIR[Status(state)]
    if green_channel and state == S.ACCEPTED:
        # No appointment in the green channel: accepted, not scheduled.
        return FhirStatus("accepted", BSER_ACCEPTED, "active")
    return status


def fits(action: str, referral: Referral, actor: Actor) -> bool:
    """Whether the action makes sense for this kind of referral (the services refuse the
    others): acknowledging is the green channel's accepting; a report ends an examination.
    The engine's applicability hook: what does not fit is not offered."""
    if action == Action.ACKNOWLEDGE:
        return referral.green_channel
    if action in (Action.ACCEPT, Action.PROPOSE):
        return not referral.green_channel
    if action == Action.REPORT:
        return referral.kind == "examination"
    if action == Action.TREATMENT_SUMMARY:
        return referral.kind != "examination"
    if action == Action.NO_SHOW:
        # Not offered before the appointment has begun (the service refuses it, saying so).
        return referral.slot_start is None or referral.slot_start <= timezone.now()
    return True
