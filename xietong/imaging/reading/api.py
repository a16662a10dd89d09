"""/api/v1/imaging: ask for a study to be read, the reading centre's worklist, one request
with what the caller may do to it, and its steps as POST /readings/{uuid}/<action>. One
handler per operation: handlers parse, call one service or selector and shape the answer;
refusals answer 403/404/409/422 (core/api.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from ninja import Query, Router, Schema, Status

from xietong.core.api import ErrorOut
from xietong.core.http import ApiRequest
from xietong.core.inputs import text
from xietong.core.reads import CHANGE

from ..selectors import get_study_for
from . import services as svc
from .machine import reading_actions, reading_held
from .models import ReadingRequest
from .selectors import WorklistFilters, get_reading_for, worklist_for
from .workflow import fhir_status

router = Router(tags=["imaging"])

# A step's refusals: not visible (404), a role that never takes the step (403), not this
# party or state now (409), bad input (422).
ACT = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ReadingIn(Schema):
    study: str = text(required=True, most=64, description="the Study Instance UID")
    urgency: str = text("routine", most=10, checked=True,
                        description="routine, urgent or emergency")  # fmt: skip
    clinical_question: str = text(required=True, most=2000, checked=True)


class ReasonIn(Schema):
    reason: str = text(required=True, most=2000, checked=True)


class ReleaseIn(Schema):
    reason: str = text("", most=2000, checked=True)


class ReadingOut(Schema):
    uuid: UUID
    number: str
    status: str
    status_label: str
    fhir_request_status: str
    fhir_report_status: str
    urgency: str
    clinical_question: str
    study: str
    modalities: list[str]
    body_part: str
    patient: UUID
    patient_name: str
    requesting_institution: UUID
    centre: UUID
    reader: str | None
    created_at: dt.datetime
    claimed_at: dt.datetime | None
    preliminary_at: dt.datetime | None
    final_at: dt.datetime | None
    critical: bool
    critical_acknowledged_at: dt.datetime | None
    cancel_reason: str
    actions: list[str]


class WorklistRowOut(Schema):
    uuid: UUID
    number: str
    status: str
    urgency: str
    overdue: bool
    patient_name: str
    modalities: list[str]
    body_part: str
    requesting_institution: str
    created_at: dt.datetime
    actions: list[str]


class WorklistIn(Schema):
    modality: str = text("", most=16)
    body_part: str = text("", most=16)
    urgency: str = text("", most=10, checked=True)
    institution: str = text(
        "", most=36, checked=True, description="a requesting institution's UUID"
    )
    waited: int | None = None
    status: str = text("", most=12, checked=True)
    mine: bool = False


def _name(user: Any) -> str | None:
    return (user.display_name or user.username) if user is not None else None


def reading_out(r: ReadingRequest, actor: Any) -> dict[str, Any]:
    fhir = fhir_status(r.status)
    return {
        "uuid": r.uuid, "number": r.number, "status": r.status,
        "status_label": str(r.get_status_display()),
        "fhir_request_status": fhir.request_status, "fhir_report_status": fhir.report_status,
        "urgency": r.urgency, "clinical_question": r.clinical_question,
        "study": r.study.study_instance_uid, "modalities": r.modality_list,
        "body_part": r.body_part, "patient": r.patient.uuid, "patient_name": r.patient.name,
        "requesting_institution": r.requesting_institution.uuid, "centre": r.centre.uuid,
        "reader": _name(r.reader), "created_at": r.created_at, "claimed_at": r.claimed_at,
        "preliminary_at": r.preliminary_at, "final_at": r.final_at, "critical": r.critical,
        "critical_acknowledged_at": r.critical_acknowledged_at,
        "cancel_reason": r.cancel_reason,
        "actions": [str(a) for a in reading_actions(actor=actor, reading=r)],
    }  # fmt: skip


@router.post(
    "/readings",
    response={201: ReadingOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Ask the reading centre that serves the institution to read a study",
    operation_id="imaging_reading_create",
)
def imaging_reading_create(request: ApiRequest, payload: ReadingIn) -> Status[dict[str, Any]]:
    study = get_study_for(actor=request.auth, study_uid=payload.study, intent=CHANGE)
    r = svc.reading_create(actor=request.auth, study=study, urgency=payload.urgency,
                           clinical_question=payload.clinical_question)  # fmt: skip
    made = get_reading_for(actor=request.auth, reading_uuid=r.uuid, intent=CHANGE)
    return Status(201, reading_out(made, request.auth))


@router.get(
    "/worklist",
    response={200: list[WorklistRowOut], 422: ErrorOut},
    summary="The reading centre's studies to read and review, most urgent first",
    operation_id="imaging_worklist",
)
def imaging_worklist(request: ApiRequest, filters: Query[WorklistIn]) -> list[dict[str, Any]]:
    rows = worklist_for(actor=request.auth, filters=WorklistFilters(**filters.dict()))
    return [
        {
            "uuid": r.uuid,
            "number": r.number,
            "status": r.status,
            "urgency": r.urgency,
            "overdue": bool(getattr(r, "is_overdue", False)),
            "patient_name": r.patient.name,
            "modalities": r.modality_list,
            "body_part": r.body_part,
            "requesting_institution": r.requesting_institution.name,
            "created_at": r.created_at,
            "actions": [str(a) for a in reading_actions(actor=request.auth, reading=r)],
        }
        for r in rows
    ]


@router.get(
    "/readings/{reading_uuid}",
    response={200: ReadingOut, 404: ErrorOut},
    summary="One reading request, with what the caller may do to it now",
    operation_id="imaging_reading_get",
)
def imaging_reading_get(request: ApiRequest, reading_uuid: UUID) -> dict[str, Any]:
    return reading_out(get_reading_for(actor=request.auth, reading_uuid=reading_uuid), request.auth)


@router.post(
    "/readings/{reading_uuid}/claim",
    response={200: ReadingOut, **ACT},
    summary="Claim the study: nobody else reads it until it is released",
    operation_id="imaging_reading_claim",
)
def imaging_reading_claim(request: ApiRequest, reading_uuid: UUID) -> dict[str, Any]:
    with reading_held(actor=request.auth, reading_uuid=reading_uuid) as seen:
        r = svc.reading_claim(actor=request.auth, reading=seen)
    return reading_out(r, request.auth)


@router.post(
    "/readings/{reading_uuid}/release",
    response={200: ReadingOut, **ACT},
    summary="Release a claimed study back to the worklist",
    operation_id="imaging_reading_release",
)
def imaging_reading_release(
    request: ApiRequest, reading_uuid: UUID, payload: ReleaseIn
) -> dict[str, Any]:
    with reading_held(actor=request.auth, reading_uuid=reading_uuid) as seen:
        r = svc.reading_release(actor=request.auth, reading=seen, reason=payload.reason)
    return reading_out(r, request.auth)


@router.post(
    "/readings/{reading_uuid}/cancel",
    response={200: ReadingOut, **ACT},
    summary="Withdraw the request before it is claimed (reason required)",
    operation_id="imaging_reading_cancel",
)
def imaging_reading_cancel(
    request: ApiRequest, reading_uuid: UUID, payload: ReasonIn
) -> dict[str, Any]:
    with reading_held(actor=request.auth, reading_uuid=reading_uuid) as seen:
        r = svc.reading_cancel(actor=request.auth, reading=seen, reason=payload.reason)
    return reading_out(r, request.auth)


from . import report_api as _report_api  # noqa: E402,F401 (its operations join this router)
