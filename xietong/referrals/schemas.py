"""The API's typed shapes of a referral (api.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from ninja import Schema

from xietong.core.api import ErrorOut
from xietong.core.inputs import Day, text

from .models import Kind, Referral, ReferralEvent, Status
from .workflow import fhir_status


class ReferralIn(Schema):
    patient: UUID
    kind: str
    receiving_institution: UUID
    slot: UUID | None = None
    urgency: str = "routine"
    reason: str = ""
    clinical_summary: str = ""
    diagnosis_code: str = text(most=16, checked=True, description="ICD-10")
    diagnosis_text: str = text(most=200, checked=True)
    examination_type: str = text(most=16)
    shared_documents: list[UUID] = []
    justification: str = ""
    previous: UUID | None = None
    consultation: UUID | None = None


class ReferralReasonIn(Schema):
    reason: str = text(required=True)


class ReferralProposeIn(Schema):
    slot: UUID
    note: str = text(most=300, checked=True)


class ReferralCheckInIn(Schema):
    payload: str


class ReferralSummaryIn(Schema):
    summary: str = ""
    discharge_diagnosis: str = text(most=200, checked=True)


class ReferralMedicationIn(Schema):
    name: str = ""
    dose: str = ""
    frequency: str = ""


class ReferralDownReferIn(Schema):
    down_institution: UUID
    instructions: str = ""
    medications: list[ReferralMedicationIn] = []
    follow_up_dates: list[Day] = []


class ReferralFollowUpIn(Schema):
    follow_up: int
    visited_on: Day | None = None
    note: str = ""


class ReferralCloseIn(Schema):
    outcome: str = ""
    note: str = ""


class ReferralFollowUpOut(Schema):
    id: int
    due_date: dt.date
    visited_on: dt.date | None
    note: str


class ReferralPlanOut(Schema):
    instructions: str
    medications: list[dict[str, str]]
    follow_ups: list[ReferralFollowUpOut]


class ReferralRowOut(Schema):
    uuid: UUID
    number: str
    kind: str
    urgency: str
    patient_name: str
    sending_institution: str
    receiving_institution: str
    status: str
    status_label: str
    slot_start: dt.datetime | None
    criteria_met: bool
    created_at: dt.datetime


class ReferralOut(ReferralRowOut):
    patient: UUID
    receiving_department: str | None
    examination_type: str
    reason: str
    clinical_summary: str
    diagnosis_code: str
    diagnosis_text: str
    shared_documents: list[str]
    criteria_group: str
    justification: str
    fhir_task_status: str
    fhir_business_status: str
    booking: UUID | None
    proposed_start: dt.datetime | None
    proposal_note: str
    ack_by: dt.datetime | None
    acknowledged_at: dt.datetime | None
    decline_reason: str
    cancel_reason: str
    report_document: UUID | None
    report_summary: str
    treatment_summary: str
    discharge_diagnosis: str
    down_institution: str | None
    down_decline_reason: str
    outcome: str
    outcome_note: str
    previous: UUID | None
    follow_ons: list[UUID]
    consultation: UUID | None
    plan: ReferralPlanOut | None
    actions: list[str]


class ReferralEventOut(Schema):
    at: dt.datetime
    actor: str
    institution: str
    action: str
    from_status: str
    to_status: str
    note: str


class ReferralTargetOut(Schema):
    uuid: UUID
    name: str
    level: str


class ReferralCriteriaCountOut(Schema):
    institution: str
    count: int


class ReferralSlotTakenOut(ErrorOut):
    alternatives: list[dict[str, Any]] = []


def row_out(r: Referral) -> dict[str, Any]:
    return {
        "uuid": r.uuid,
        "number": r.number,
        "kind": r.kind,
        "urgency": r.urgency,
        "patient_name": r.patient.name,
        "sending_institution": r.sending_institution.name,
        "receiving_institution": r.receiving_institution.name,
        "status": r.status,
        "status_label": str(Status(r.status).label),
        "slot_start": r.slot_start,
        "criteria_met": r.criteria_met,
        "created_at": r.created_at,
    }


# Only a referral handed back down has a plan; asking the others costs a query for nothing.
PLANNED = (Status.DOWN_REQUESTED, Status.FOLLOW_UP, Status.CLOSED)


def _plan(r: Referral) -> dict[str, Any] | None:
    plan = getattr(r, "plan", None) if r.status in PLANNED else None
    if plan is None:
        return None
    return {
        "instructions": plan.instructions,
        "medications": plan.medications,
        "follow_ups": [
            {"id": f.pk, "due_date": f.due_date, "visited_on": f.visited_on, "note": f.note}
            for f in r.follow_ups.all()
        ],
    }


def detail_out(r: Referral, *, actions: list[str]) -> dict[str, Any]:
    """The referral as the API answers it, with the `actions` the caller may take now
    (services.referral_actions)."""
    fhir = fhir_status(r.status, green_channel=r.green_channel)
    plain = (
        "examination_type", "reason", "clinical_summary", "diagnosis_code", "diagnosis_text",
        "shared_documents", "criteria_group", "justification", "proposed_start", "proposal_note",
        "ack_by", "acknowledged_at", "decline_reason", "cancel_reason", "report_summary",
        "treatment_summary", "discharge_diagnosis", "down_decline_reason", "outcome",
        "outcome_note",
    )  # fmt: skip
    return {
        **row_out(r),
        **{f: getattr(r, f) for f in plain},
        "patient": r.patient.uuid,
        "receiving_department": r.receiving_department.name if r.receiving_department else None,
        "fhir_task_status": fhir.task_status,
        "fhir_business_status": fhir.business_status,
        "booking": r.booking_uuid,
        "report_document": r.report_document_uuid,
        "down_institution": r.down_institution.name if r.down_institution else None,
        "previous": r.previous.uuid if r.previous else None,
        # Only an examination referral is followed on by another.
        "follow_ons": [f.uuid for f in r.follow_ons.all()] if r.kind == Kind.EXAMINATION else [],
        "consultation": r.consultation_uuid,
        "plan": _plan(r),
        "actions": actions,
    }


def event_out(e: ReferralEvent) -> dict[str, Any]:
    return {
        "at": e.at,
        "actor": e.actor_name,
        "institution": e.institution_name,
        "action": e.action,
        "from_status": e.from_status,
        "to_status": e.to_status,
        "note": e.note,
    }
