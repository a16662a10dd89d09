"""/api/v1/referrals: create, read, list, every transition as POST /{uuid}/<action>, the
slip, the slots and institutions a referral may go to, and the desk's arrivals. Handlers
parse, call one service or selector and shape the answer; refusals answer 404/409/422."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from xietong.core.api import ErrorOut
from xietong.core.errors import ValidationFailed
from xietong.core.http import ApiRequest
from xietong.core.inputs import Day
from xietong.core.listing import rows_shown
from xietong.core.paging import PageIn
from xietong.directory.models import Institution
from xietong.directory.selectors import collaboration_providers_for
from xietong.patients.selectors import get_patient_for
from xietong.scheduling.models import Slot
from xietong.scheduling.selectors import slots_free
from xietong.scheduling.services import SlotTaken

from . import services as svc
from .models import Referral
from .pdf import referral_slip_pdf
from .schemas import (
    ReferralCheckInIn,
    ReferralCloseIn,
    ReferralCriteriaCountOut,
    ReferralDownReferIn,
    ReferralEventOut,
    ReferralFollowUpIn,
    ReferralIn,
    ReferralOut,
    ReferralProposeIn,
    ReferralReasonIn,
    ReferralRowOut,
    ReferralSlotTakenOut,
    ReferralSummaryIn,
    ReferralTargetOut,
    detail_out,
    event_out,
    row_out,
)
from .selectors import (
    arrivals_for,
    criteria_unmet_counts,
    get_referral_for,
    referral_by_number_for,
    referrals_for,
    timeline_of,
)
from .services._bookings import PURPOSES

router = Router(tags=["referrals"])
ACT = {404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ReferralListFilters(PageIn):
    scope: str = ""
    status: str | None = None
    kind: str | None = None
    urgency: str | None = None
    q: str | None = None


class ReferralSlotFilters(Schema):
    institution: UUID
    kind: str = "outpatient"
    department: str | None = None
    examination_type: str | None = None


class ReferralSlotOut(Schema):
    uuid: UUID
    start: dt.datetime
    end: dt.datetime
    department: str | None
    examination_type: str
    places_left: int


def _slot_out(s: Slot) -> dict[str, Any]:
    return {
        "uuid": s.uuid,
        "start": s.start,
        "end": s.end,
        "department": s.department.name if s.department else None,
        "examination_type": s.examination_type,
        "places_left": s.places_left,
    }


def _slot_taken(exc: SlotTaken) -> Status[dict[str, Any]]:
    return Status(
        409,
        {
            "code": exc.code,
            "message": str(exc.message),
            "alternatives": [_slot_out(s) for s in exc.alternatives],
        },
    )


def _get(request: ApiRequest, referral_uuid: UUID) -> Referral:
    return get_referral_for(actor=request.auth, referral_uuid=referral_uuid)


def _fresh(request: ApiRequest, r: Referral) -> dict[str, Any]:
    """The referral as the caller now sees it (one who let go of it gets what it was)."""
    if referrals_for(actor=request.auth).filter(pk=r.pk).exists():
        r = _get(request, r.uuid)
    return detail_out(r, request.auth)


def _institution(key: UUID | None, field: str) -> Institution | None:
    if key is None:
        return None
    found = Institution.objects.filter(uuid=key).first()
    if found is None:
        raise ValidationFailed.single(field, _("Unknown institution."))
    return found


def _slot(key: UUID | None) -> Slot | None:
    if key is None:
        return None
    found = Slot.objects.select_related("department").filter(uuid=key).first()
    if found is None:
        raise ValidationFailed.single("slot", _("Unknown time slot."))
    return found


# ------------------------------------------------------------------ reads


@router.post(
    "",
    response={201: ReferralOut, 404: ErrorOut, 409: ReferralSlotTakenOut, 422: ErrorOut},
    summary="Refer a patient up (booking the slot), or by the green channel",
)
def create(request: ApiRequest, payload: ReferralIn) -> Status[dict[str, Any]]:
    patient = get_patient_for(actor=request.auth, patient_uuid=payload.patient)
    previous = _get(request, payload.previous) if payload.previous else None
    try:
        r = svc.referral_create(
            actor=request.auth,
            patient=patient,
            kind=payload.kind,
            receiving_institution=_institution(
                payload.receiving_institution, "receiving_institution"
            ),
            slot=_slot(payload.slot),
            urgency=payload.urgency,
            reason=payload.reason,
            clinical_summary=payload.clinical_summary,
            diagnosis_code=payload.diagnosis_code,
            diagnosis_text=payload.diagnosis_text,
            examination_type=payload.examination_type,
            shared_documents=payload.shared_documents,
            justification=payload.justification,
            previous=previous,
            consultation_uuid=payload.consultation,
        )
    except SlotTaken as exc:
        return _slot_taken(exc)
    return Status(201, detail_out(_get(request, r.uuid), request.auth))


@router.get("", response={200: list[ReferralRowOut], 422: ErrorOut}, summary="Referrals I see")
def list_(request: ApiRequest, filters: Query[ReferralListFilters]) -> list[dict[str, Any]]:
    offset, limit = filters.offset, filters.limit
    qs = referrals_for(
        actor=request.auth, scope=filters.scope, status=filters.status, kind=filters.kind,
        urgency=filters.urgency, q=filters.q,
    )[offset : offset + limit]  # fmt: skip
    criteria = filters.dict(exclude_none=True)
    shown = rows_shown(
        actor=request.auth, rows=list(qs), resource_type="ServiceRequest",
        criteria={"list": "referrals.api", **{k: str(v) for k, v in criteria.items()}},
    )  # fmt: skip
    return [row_out(r) for r in shown]


@router.get(
    "/targets",
    response={200: list[ReferralTargetOut]},
    summary="Institutions that take my institution's referrals, higher levels first",
)
def targets(request: ApiRequest) -> list[dict[str, Any]]:
    mine = Institution.objects.filter(pk=request.auth.institution_id or 0).first()
    if mine is None:
        return []
    return [
        {"uuid": i.uuid, "name": i.name, "level": i.level}
        for i in collaboration_providers_for(institution=mine, service="referral")
    ]


@router.get(
    "/slots",
    response={200: list[ReferralSlotOut], 422: ErrorOut},
    summary="Free slots of an institution a referral of this kind may book (two weeks)",
)
def slots(request: ApiRequest, filters: Query[ReferralSlotFilters]) -> list[dict[str, Any]]:
    institution = _institution(filters.institution, "institution")
    purposes = PURPOSES.get(filters.kind)  # type: ignore[call-overload]
    if purposes is None:
        raise ValidationFailed.single("kind", _("Select a valid choice."))
    qs = slots_free(
        institution=institution,
        examination_type=filters.examination_type,
        via_referral=True,
        limit=None,
    ).filter(purpose__in=purposes)
    if filters.department:
        qs = qs.filter(department__code=filters.department)
    return [_slot_out(s) for s in qs[:100]]


@router.get(
    "/arrivals",
    response={200: list[ReferralRowOut]},
    summary="Patients expected at my institution today (and green-channel ones on the way)",
)
def arrivals(request: ApiRequest, day: Day | None = None) -> list[dict[str, Any]]:
    return [row_out(r) for r in arrivals_for(actor=request.auth, day=day)]


@router.get(
    "/criteria-unmet",
    response={200: list[ReferralCriteriaCountOut]},
    summary="For supervisors: referrals outside the criteria, per sending institution",
)
def criteria_unmet(request: ApiRequest) -> list[dict[str, Any]]:
    return criteria_unmet_counts(actor=request.auth)


@router.post(
    "/check-in",
    response={200: ReferralOut, **ACT},
    summary="Check a patient in by the slip's QR code or the referral number",
)
def check_in_by_number(request: ApiRequest, payload: ReferralCheckInIn) -> dict[str, Any]:
    r = referral_by_number_for(actor=request.auth, payload=payload.payload)
    return _fresh(request, svc.referral_check_in(actor=request.auth, referral=r))


@router.get("/{referral_uuid}", response={200: ReferralOut, 404: ErrorOut}, summary="One referral")
def detail(request: ApiRequest, referral_uuid: UUID) -> dict[str, Any]:
    return detail_out(_get(request, referral_uuid), request.auth)


@router.get(
    "/{referral_uuid}/timeline",
    response={200: list[ReferralEventOut], 404: ErrorOut},
    summary="Where the patient has been, in order",
)
def timeline(request: ApiRequest, referral_uuid: UUID) -> list[dict[str, Any]]:
    return [event_out(e) for e in timeline_of(_get(request, referral_uuid))]


@router.get(
    "/{referral_uuid}/slip",
    response={200: None, 404: ErrorOut},
    openapi_extra={
        "responses": {200: {"description": "The slip", "content": {"application/pdf": {}}}}
    },
    summary="The referral slip (PDF with a QR code of the number)",
)
def slip(request: ApiRequest, referral_uuid: UUID) -> HttpResponse:
    r = _get(request, referral_uuid)
    response = HttpResponse(referral_slip_pdf(referral=r), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{r.number}.pdf"'
    return response


# ------------------------------------------------------------------ transitions


def _simple(name: str, service: Any, summary: str) -> None:
    @router.post(
        f"/{{referral_uuid}}/{name}",
        response={200: ReferralOut, **ACT},
        summary=summary,
        operation_id=f"referral_{name.replace('-', '_')}",
    )
    def act(request: ApiRequest, referral_uuid: UUID) -> dict[str, Any]:
        return _fresh(request, service(actor=request.auth, referral=_get(request, referral_uuid)))


def _with_reason(name: str, service: Any, summary: str) -> None:
    @router.post(
        f"/{{referral_uuid}}/{name}",
        response={200: ReferralOut, **ACT},
        summary=summary,
        operation_id=f"referral_{name.replace('-', '_')}",
    )
    def act(request: ApiRequest, referral_uuid: UUID, payload: ReferralReasonIn) -> dict[str, Any]:
        r = service(
            actor=request.auth, referral=_get(request, referral_uuid), reason=payload.reason
        )
        return _fresh(request, r)


_simple("accept", svc.referral_accept, "The receiving desk accepts (the booking is confirmed)")
_simple("acknowledge", svc.referral_acknowledge, "Acknowledge a green-channel referral")
_simple("check-in", svc.referral_check_in, "The patient has arrived")
_simple("no-show", svc.referral_mark_no_show, "The patient did not come")
_simple("down-accept", svc.referral_down_accept, "The lower institution accepts")
_with_reason("decline", svc.referral_decline, "The receiving desk declines (reason required)")
_with_reason("cancel", svc.referral_cancel, "The sender cancels (reason required)")
_with_reason("proposal-decline", svc.referral_proposal_decline, "Decline the proposed time")
_with_reason("down-decline", svc.referral_down_decline, "Decline the down-referral")


@router.post(
    "/{referral_uuid}/propose",
    response={200: ReferralOut, **ACT},
    summary="Propose another slot",
)
def propose(request: ApiRequest, referral_uuid: UUID, payload: ReferralProposeIn) -> dict[str, Any]:
    slot = _slot(payload.slot)
    assert slot is not None
    r = svc.referral_propose(
        actor=request.auth, referral=_get(request, referral_uuid), slot=slot, note=payload.note
    )
    return _fresh(request, r)


@router.post(
    "/{referral_uuid}/proposal-accept",
    response={200: ReferralOut, 404: ErrorOut, 409: ReferralSlotTakenOut, 422: ErrorOut},
    summary="Take the proposed slot",
)
def proposal_accept(request: ApiRequest, referral_uuid: UUID) -> Any:
    try:
        r = svc.referral_proposal_accept(actor=request.auth, referral=_get(request, referral_uuid))
    except SlotTaken as exc:
        return _slot_taken(exc)
    return _fresh(request, r)


@router.post(
    "/{referral_uuid}/report",
    response={200: ReferralOut, **ACT},
    summary="Upload the examination report (PDF, JPEG or PNG)",
)
def report(
    request: ApiRequest,
    referral_uuid: UUID,
    file: File[UploadedFile],
    title: Form[str] = "",
    findings: Form[str] = "",
) -> dict[str, Any]:
    r = svc.referral_report_upload(
        actor=request.auth, referral=_get(request, referral_uuid), file=file, title=title,
        findings=findings,
    )  # fmt: skip
    return _fresh(request, r)


@router.post(
    "/{referral_uuid}/treatment-summary",
    response={200: ReferralOut, **ACT},
    summary="The treatment summary when treatment ends",
)
def treatment_summary(request: ApiRequest, referral_uuid: UUID, payload: ReferralSummaryIn) -> Any:
    r = svc.referral_treatment_summary(
        actor=request.auth, referral=_get(request, referral_uuid), summary=payload.summary,
        discharge_diagnosis=payload.discharge_diagnosis,
    )  # fmt: skip
    return _fresh(request, r)


@router.post(
    "/{referral_uuid}/down-refer",
    response={200: ReferralOut, **ACT},
    summary="Refer back down with a rehabilitation plan",
)
def down_refer(request: ApiRequest, referral_uuid: UUID, payload: ReferralDownReferIn) -> Any:
    r = svc.referral_down_refer(
        actor=request.auth,
        referral=_get(request, referral_uuid),
        down_institution=_institution(payload.down_institution, "down_institution"),
        instructions=payload.instructions,
        medications=[m.dict() for m in payload.medications],
        follow_up_dates=payload.follow_up_dates,
    )
    return _fresh(request, r)


@router.post(
    "/{referral_uuid}/follow-up",
    response={200: ReferralOut, **ACT},
    summary="Record a follow-up visit against the plan",
)
def follow_up(request: ApiRequest, referral_uuid: UUID, payload: ReferralFollowUpIn) -> Any:
    r = svc.referral_follow_up_record(
        actor=request.auth, referral=_get(request, referral_uuid),
        follow_up_id=payload.follow_up, visited_on=payload.visited_on, note=payload.note,
    )  # fmt: skip
    return _fresh(request, r)


@router.post(
    "/{referral_uuid}/close",
    response={200: ReferralOut, **ACT},
    summary="Close the loop with its outcome",
)
def close(request: ApiRequest, referral_uuid: UUID, payload: ReferralCloseIn) -> Any:
    r = svc.referral_close(
        actor=request.auth, referral=_get(request, referral_uuid), outcome=payload.outcome,
        note=payload.note,
    )  # fmt: skip
    return _fresh(request, r)
