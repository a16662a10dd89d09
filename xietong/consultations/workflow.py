"""The one transition table of a consultation, its parties and labels, and its mapping onto
FHIR.

(state, action) -> Transition(next state, who may act: (party, roles) pairs). Nothing else
assigns Consultation.status: services step through the workflow engine (core/workflow),
which checks this table (services/_core.py wires it)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import pgettext_lazy

from xietong.core.workflow import Transition

from .models import Status

S = Status


class Party(StrEnum):
    REQUESTER = "requester"  # a requesting doctor of the requesting institution
    CENTRE = "centre"  # QC or coordinator of the serving centre
    EXPERT = "expert"  # an assigned (not declined) expert
    SYSTEM = "system"  # the platform itself (a rule of the centre, a deadline)


class Action(StrEnum):
    UPDATE = "update"
    SUBMIT = "submit"
    QC_PASS = "qc_pass"  # noqa: S105 (an action name, not a password)
    QC_RETURN = "qc_return"
    RESUBMIT = "resubmit"
    TRIAGE_ASSIGN = "triage_assign"
    DIRECT_ASSIGN = "direct_assign"
    EXPERT_ACCEPT = "expert_accept"
    ALL_ACCEPTED = "all_accepted"
    EXPERT_DECLINE = "expert_decline"
    SCHEDULE = "schedule"
    RESCHEDULE = "reschedule"
    START = "start"
    OPINION_SAVE = "opinion_save"
    OPINION_PART_SIGN = "opinion_part_sign"
    OPINION_SIGN = "opinion_sign"
    OPINION_CORRECT = "opinion_correct"
    ACKNOWLEDGE = "acknowledge"
    CANCEL = "cancel"


ACTION_LABELS = {
    Action.UPDATE: pgettext_lazy("consultation action", "amend the request"),
    Action.SUBMIT: pgettext_lazy("consultation action", "submit"),
    Action.QC_PASS: pgettext_lazy("consultation action", "pass the quality check"),
    Action.QC_RETURN: pgettext_lazy("consultation action", "return for more information"),
    Action.RESUBMIT: pgettext_lazy("consultation action", "resubmit"),
    Action.TRIAGE_ASSIGN: pgettext_lazy("consultation action", "assign experts"),
    Action.DIRECT_ASSIGN: pgettext_lazy("consultation action", "assign the chosen expert"),
    Action.EXPERT_ACCEPT: pgettext_lazy("consultation action", "accept"),
    Action.ALL_ACCEPTED: pgettext_lazy("consultation action", "all experts accepted"),
    Action.EXPERT_DECLINE: pgettext_lazy("consultation action", "decline"),
    Action.SCHEDULE: pgettext_lazy("consultation action", "book a time"),
    Action.RESCHEDULE: pgettext_lazy("consultation action", "change the time"),
    Action.START: pgettext_lazy("consultation action", "start"),
    Action.OPINION_SAVE: pgettext_lazy("consultation action", "save the opinion draft"),
    Action.OPINION_PART_SIGN: pgettext_lazy("consultation action", "sign an MDT part"),
    Action.OPINION_SIGN: pgettext_lazy("consultation action", "sign the opinion"),
    Action.OPINION_CORRECT: pgettext_lazy("consultation action", "correct the signed opinion"),
    Action.ACKNOWLEDGE: pgettext_lazy("consultation action", "acknowledge and rate"),
    Action.CANCEL: pgettext_lazy("consultation action", "cancel"),
}

REQ = (Party.REQUESTER, frozenset({"requester"}))
QC = (Party.CENTRE, frozenset({"qc"}))
COORD = (Party.CENTRE, frozenset({"coordinator"}))
CENTRE_ANY = (Party.CENTRE, frozenset({"qc", "coordinator"}))
EXP = (Party.EXPERT, frozenset({"expert"}))
SYS = (Party.SYSTEM, frozenset[str]())

_CANCELLABLE = (S.DRAFT, S.SUBMITTED, S.RETURNED, S.TRIAGE, S.ASSIGNED, S.ACCEPTED, S.SCHEDULED)

TABLE: dict[tuple[Status, Action], Transition] = {
    (S.DRAFT, Action.UPDATE): Transition(S.DRAFT, (REQ,)),
    (S.DRAFT, Action.SUBMIT): Transition(S.SUBMITTED, (REQ,)),
    (S.SUBMITTED, Action.QC_PASS): Transition(S.TRIAGE, (QC,)),
    (S.SUBMITTED, Action.QC_RETURN): Transition(S.RETURNED, (QC,)),
    (S.RETURNED, Action.UPDATE): Transition(S.RETURNED, (REQ,)),
    (S.RETURNED, Action.RESUBMIT): Transition(S.SUBMITTED, (REQ,)),
    (S.TRIAGE, Action.TRIAGE_ASSIGN): Transition(S.ASSIGNED, (COORD,)),
    # A centre that lets requesters choose: the chosen expert is asked without triage.
    (S.TRIAGE, Action.DIRECT_ASSIGN): Transition(S.ASSIGNED, (SYS,)),
    # One expert of several (MDT) answering; the consultation waits for the others.
    (S.ASSIGNED, Action.EXPERT_ACCEPT): Transition(S.ASSIGNED, (EXP,)),
    (S.ASSIGNED, Action.ALL_ACCEPTED): Transition(S.ACCEPTED, (SYS,)),
    (S.ASSIGNED, Action.EXPERT_DECLINE): Transition(S.TRIAGE, (EXP,)),
    (S.ACCEPTED, Action.SCHEDULE): Transition(S.SCHEDULED, (COORD, EXP)),
    (S.SCHEDULED, Action.RESCHEDULE): Transition(S.SCHEDULED, (COORD, EXP)),
    (S.ACCEPTED, Action.START): Transition(S.IN_PROGRESS, (EXP,)),
    (S.SCHEDULED, Action.START): Transition(S.IN_PROGRESS, (EXP, COORD)),
    (S.IN_PROGRESS, Action.OPINION_SAVE): Transition(S.IN_PROGRESS, (EXP,)),
    (S.IN_PROGRESS, Action.OPINION_PART_SIGN): Transition(S.IN_PROGRESS, (EXP,)),
    (S.IN_PROGRESS, Action.OPINION_SIGN): Transition(S.OPINION_SIGNED, (EXP,)),
    (S.OPINION_SIGNED, Action.OPINION_CORRECT): Transition(S.OPINION_SIGNED, (EXP,)),
    (S.COMPLETED, Action.OPINION_CORRECT): Transition(S.COMPLETED, (EXP,)),
    (S.OPINION_SIGNED, Action.ACKNOWLEDGE): Transition(S.COMPLETED, (REQ,)),
    **{
        (state, Action.CANCEL): Transition(S.CANCELLED, (REQ, CENTRE_ANY)) for state in _CANCELLABLE
    },
}
# A draft is the requester's alone: the centre cannot cancel what it never received.
TABLE[(S.DRAFT, Action.CANCEL)] = Transition(S.CANCELLED, (REQ,))

TERMINAL = frozenset({S.COMPLETED, S.CANCELLED})


# ------------------------------------------------------------------ FHIR


@dataclass(frozen=True)
class FhirStatus:
    task_status: str
    business_status: str
    request_status: str


FHIR: dict[Status, FhirStatus] = {
    S.DRAFT: FhirStatus("draft", "draft", "draft"),
    S.SUBMITTED: FhirStatus("requested", "2.0 Created", "active"),
    S.RETURNED: FhirStatus("received", "awaiting-information", "on-hold"),
    S.TRIAGE: FhirStatus("received", "triage", "active"),
    S.ASSIGNED: FhirStatus("received", "awaiting-expert", "active"),
    S.ACCEPTED: FhirStatus("accepted", "3.0 Accepted", "active"),
    S.SCHEDULED: FhirStatus("accepted", "5.1.1 Event Scheduled", "active"),
    S.IN_PROGRESS: FhirStatus("in-progress", "in-progress", "active"),
    S.OPINION_SIGNED: FhirStatus("in-progress", "opinion-signed", "active"),
    S.COMPLETED: FhirStatus("completed", "5.1.4 Event Completed", "completed"),
    S.CANCELLED: FhirStatus("cancelled", "cancelled", "revoked"),
}


def fhir_status(state: str) -> FhirStatus:
    return FHIR[Status(state)]
