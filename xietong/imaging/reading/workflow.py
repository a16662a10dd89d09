"""The one transition table of a reading request, its parties and labels, the overdue
limits, and its mapping onto FHIR.

(state, action) -> Transition(next state, who may act: (party, roles) pairs). Nothing else
assigns ReadingRequest.status: services step through the workflow engine (core/workflow),
which checks this table (machine.py wires it)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.utils.translation import pgettext_lazy

from xietong.core.workflow import Transition

from .models import Status, Urgency

S = Status


class Party(StrEnum):
    REQUESTER = "requester"  # a requesting doctor of the institution that asked
    READER = "reader"  # an expert of the reading centre that serves it
    SENIOR = "senior"  # a reader of that centre whose title makes them a reviewer (审核医师)
    SYSTEM = "system"


class Action(StrEnum):
    CLAIM = "claim"
    RELEASE = "release"
    REPORT_SAVE = "report_save"
    PRELIMINARY = "preliminary"
    SIGN = "sign"
    RETURN = "return"
    CORRECT = "correct"
    CRITICAL_ACK = "critical_ack"
    CANCEL = "cancel"


ACTION_LABELS = {
    Action.CLAIM: pgettext_lazy("reading action", "claim"),
    Action.RELEASE: pgettext_lazy("reading action", "release the claim"),
    Action.REPORT_SAVE: pgettext_lazy("reading action", "save the report draft"),
    Action.PRELIMINARY: pgettext_lazy("reading action", "submit the preliminary report"),
    Action.SIGN: pgettext_lazy("reading action", "sign the final report"),
    Action.RETURN: pgettext_lazy("reading action", "return to the reader"),
    Action.CORRECT: pgettext_lazy("reading action", "correct the signed report"),
    Action.CRITICAL_ACK: pgettext_lazy("reading action", "acknowledge the critical finding"),
    Action.CANCEL: pgettext_lazy("reading action", "cancel"),
}

REQ = (Party.REQUESTER, frozenset({"requester"}))
READER = (Party.READER, frozenset({"expert"}))
SENIOR = (Party.SENIOR, frozenset({"expert"}))

TABLE: dict[tuple[Status, Action], Transition] = {
    (S.REQUESTED, Action.CLAIM): Transition(S.READING, (READER,)),
    (S.REQUESTED, Action.CANCEL): Transition(S.CANCELLED, (REQ,)),
    (S.READING, Action.RELEASE): Transition(S.REQUESTED, (READER,)),
    (S.READING, Action.REPORT_SAVE): Transition(S.READING, (READER,)),
    (S.READING, Action.PRELIMINARY): Transition(S.PRELIMINARY, (READER,)),
    (S.PRELIMINARY, Action.SIGN): Transition(S.FINAL, (SENIOR,)),
    (S.PRELIMINARY, Action.RETURN): Transition(S.READING, (SENIOR,)),
    (S.FINAL, Action.CORRECT): Transition(S.AMENDED, (SENIOR,)),
    (S.AMENDED, Action.CORRECT): Transition(S.AMENDED, (SENIOR,)),
    **{
        (state, Action.CRITICAL_ACK): Transition(state, (REQ,))
        for state in (S.PRELIMINARY, S.FINAL, S.AMENDED)
    },
}

TERMINAL = frozenset({S.CANCELLED})

# Waiting for a report: the overdue clock runs until the preliminary report.
AWAITING_REPORT = (S.REQUESTED, S.READING)

# Minutes a study may wait for its report before it is flagged overdue, per urgency
# (settings.XT_READING_OVERDUE_MINUTES overrides any of them).
OVERDUE_MINUTES: dict[str, int] = {
    Urgency.EMERGENCY: 30,
    Urgency.URGENT: 2 * 60,
    Urgency.ROUTINE: 24 * 60,
}


def overdue_minutes() -> dict[str, int]:
    return {**OVERDUE_MINUTES, **settings.XT_READING_OVERDUE_MINUTES}


# ------------------------------------------------------------------ FHIR


@dataclass(frozen=True)
class FhirStatus:
    request_status: str  # ServiceRequest.status
    report_status: str  # DiagnosticReport.status


FHIR: dict[Status, FhirStatus] = {
    S.REQUESTED: FhirStatus("active", "registered"),
    S.READING: FhirStatus("active", "partial"),
    S.PRELIMINARY: FhirStatus("active", "preliminary"),
    S.FINAL: FhirStatus("completed", "final"),
    S.AMENDED: FhirStatus("completed", "amended"),
    S.CANCELLED: FhirStatus("revoked", "cancelled"),
}


def fhir_status(state: str) -> FhirStatus:
    return FHIR[Status(state)]
