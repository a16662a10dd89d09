"""The shapes of /api/v1/consultations: what a request may carry and what it answers. The
text fields declare what the services and the columns accept (core/inputs.py)."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from ninja import Field, Schema

from xietong.core.inputs import number, text
from xietong.core.paging import PageIn


class RequestFields(Schema):
    kind: str | None = None
    mode: str | None = None
    urgency: str | None = None
    reason: str | None = None
    purpose: str | None = None
    wanted_department: str | None = text(
        None, most=16, checked=True, description="a department code"
    )
    wanted_title: str | None = None
    preferred_target: str | None = None
    preferred_expert: UUID | None = None
    preferred_department: str | None = text(
        None, most=16, checked=True, description="a department code"
    )
    preferred_times: list[str] | None = None
    chief_complaint: str | None = None
    present_illness: str | None = None
    history: str | None = None
    examination: str | None = None
    diagnosis_code: str | None = text(None, most=16, checked=True, description="ICD-10")
    diagnosis_text: str | None = text(None, most=200)
    current_treatment: str | None = None


class ConsultationIn(RequestFields):
    patient: UUID


class StudiesIn(Schema):
    studies: list[UUID] = Field(description="the patient's studies, by their uuid; [] for none")


class StudyOut(Schema):
    uuid: UUID
    study_instance_uid: str = Field(description="for /dicomweb/ and the viewer")
    study_date: str
    modalities: list[str]
    description: str
    series_count: int
    instance_count: int
    sent_by: str


class AssignmentOut(Schema):
    expert: UUID
    name: str
    institution: str
    lead: bool
    status: str
    decline_reason: str


class ConsultationOut(Schema):
    uuid: UUID
    number: str
    patient: UUID
    patient_name: str
    requesting_institution: str
    requesting_user: str
    centre: str
    kind: str
    mode: str
    urgency: str
    status: str
    status_label: str
    fhir_task_status: str
    fhir_business_status: str
    reason: str
    purpose: str
    wanted_department: str | None
    wanted_title: str
    preferred_target: str
    preferred_expert: UUID | None
    preferred_department: str | None
    preferred_times: list[str]
    chief_complaint: str
    present_illness: str
    history: str
    examination: str
    diagnosis_code: str
    diagnosis_text: str
    current_treatment: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    accept_by: dt.datetime | None
    answer_by: dt.datetime | None
    scheduled_start: dt.datetime | None
    room: str
    rating: int | None
    rating_comment: str
    cancel_reason: str
    actions: list[str]
    assignments: list[AssignmentOut]


class ConsultationRowOut(Schema):
    uuid: UUID
    number: str
    patient_name: str
    requesting_institution: str
    kind: str
    urgency: str
    status: str
    status_label: str
    overdue: bool
    created_at: dt.datetime
    accept_by: dt.datetime | None
    answer_by: dt.datetime | None


class ListFilters(PageIn):
    scope: str = ""
    status: str | None = None
    urgency: str | None = None
    kind: str | None = None
    overdue: bool | None = None
    q: str | None = None


class CommentIn(Schema):
    comment: str = text(required=True)


class ReasonIn(Schema):
    reason: str = text(required=True)


class TriageIn(Schema):
    experts: list[UUID]
    lead: UUID | None = None


class SlotIn(Schema):
    slot: UUID
    room: str = text(most=80)


class RatingIn(Schema):
    rating: int = number(least=1, most=5)
    comment: str = ""


class OpinionIn(Schema):
    # A field left out stays as it was; null is refused, since the opinion's columns hold
    # text (an explicit null reached the database and answered 500).
    summary: bool = False
    diagnosis: str = ""
    recommendations: str = ""
    referral_advised: bool = False
    referral_to_institution: UUID | None = Field(
        None,
        description="The institution the patient should be referred to (its uuid, as "
        "/api/v1/directory lists them); required to sign when referral_advised.",
    )
    referral_to: str = text(
        most=200, description="Beside the institution: the department or ward, or a note."
    )
    follow_up: str = ""


class SignIn(Schema):
    summary: bool = False
    password: str = ""
    code: str = ""


class CorrectIn(OpinionIn):
    reason: str = text(required=True)
    password: str = ""
    code: str = ""


class OpinionOut(Schema):
    uuid: UUID
    expert: UUID
    expert_name: str
    part: str
    version: int
    diagnosis: str
    recommendations: str
    referral_advised: bool
    referral_to_institution: UUID | None
    referral_to: str
    follow_up: str
    signed: bool
    signed_at: dt.datetime | None
    content_hash: str
    supersedes: UUID | None
    correction_reason: str


class EventOut(Schema):
    at: dt.datetime
    actor: str
    action: str
    from_status: str
    to_status: str
    reason: str


class BoardRowOut(Schema):
    number: str
    time: dt.datetime | None
    hospital: str
    department: str
    experts: str
    room: str
    status: str
    status_label: str
    urgency: str
    mode: str
    mode_label: str


class BoardOut(Schema):
    day: dt.date
    total: int
    done: int
    waiting: int
    rows: list[BoardRowOut]
