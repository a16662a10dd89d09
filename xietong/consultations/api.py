"""/api/v1/consultations: create, read, list, every transition as POST /{uuid}/<action>,
the opinion, the timeline and today's board. Handlers parse, call one service or selector
and shape the answer; a refused transition answers 409 saying why."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from xietong.core.actor import Actor
from xietong.core.api import ErrorOut
from xietong.core.errors import NotFound, ValidationFailed
from xietong.core.http import ApiRequest
from xietong.core.inputs import Day, number, text
from xietong.core.listing import rows_shown
from xietong.core.paging import PageIn
from xietong.core.reads import CHANGE
from xietong.directory.models import Expert
from xietong.patients.selectors import get_patient_for
from xietong.scheduling.selectors import get_slot

from . import services as svc
from .models import Consultation, ConsultationEvent, Opinion
from .models import Status as State
from .selectors import (
    consultation_assignments,
    consultation_opinions,
    consultation_timeline,
    consultations_for,
    get_consultation_for,
    today_board,
)
from .workflow import fhir_status

router = Router(tags=["consultations"])

# A transition: not visible 404, a role that never takes it 403, the wrong state or party 409.
ACT = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


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
    referral_to: str = text(most=200)
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


class BoardOut(Schema):
    day: dt.date
    total: int
    done: int
    waiting: int
    rows: list[BoardRowOut]


def _given(payload: Schema, *exclude: str) -> dict[str, Any]:
    values = payload.dict(exclude_unset=True, exclude=set(exclude))
    if values.get("preferred_expert") is not None:
        values["preferred_expert"] = str(values["preferred_expert"])
    return values


def _out(c: Consultation, actor: Actor) -> dict[str, Any]:
    fhir = fhir_status(c.status)
    return {
        **{
            f: getattr(c, f)
            for f in (
                "uuid",
                "number",
                "kind",
                "mode",
                "urgency",
                "status",
                "reason",
                "purpose",
                "wanted_title",
                "preferred_target",
                "preferred_times",
                "chief_complaint",
                "present_illness",
                "history",
                "examination",
                "diagnosis_code",
                "diagnosis_text",
                "current_treatment",
                "created_at",
                "submitted_at",
                "accept_by",
                "answer_by",
                "scheduled_start",
                "room",
                "rating",
                "rating_comment",
                "cancel_reason",
            )
        },
        "patient": c.patient.uuid,
        "patient_name": c.patient.name,
        "requesting_institution": c.requesting_institution.name,
        "requesting_user": str(c.requesting_user),
        "centre": c.centre.name,
        "status_label": str(State(c.status).label),
        "fhir_task_status": fhir.task_status,
        "fhir_business_status": fhir.business_status,
        "wanted_department": c.wanted_department.code if c.wanted_department else None,
        "preferred_expert": c.preferred_expert.practitioner.uuid if c.preferred_expert else None,
        "preferred_department": c.preferred_department.code if c.preferred_department else None,
        "actions": [str(a) for a in svc.consultation_actions(actor=actor, consultation=c)],
        "assignments": [
            {
                "expert": a.expert.practitioner.uuid,
                "name": a.expert.practitioner.name,
                "institution": a.expert.practitioner.institution.name,
                "lead": a.lead,
                "status": a.status,
                "decline_reason": a.decline_reason,
            }
            for a in consultation_assignments(consultation=c)
        ],
    }


def _opinion_out(o: Opinion) -> dict[str, Any]:
    return {
        "uuid": o.uuid,
        "expert": o.expert.practitioner.uuid,
        "expert_name": o.expert.practitioner.name,
        "part": o.part,
        "version": o.version,
        "diagnosis": o.diagnosis,
        "recommendations": o.recommendations,
        "referral_advised": o.referral_advised,
        "referral_to": o.referral_to,
        "follow_up": o.follow_up,
        "signed": o.is_signed,
        "signed_at": o.signed_at,
        "content_hash": o.content_hash,
        "supersedes": o.supersedes.uuid if o.supersedes else None,
        "correction_reason": o.correction_reason,
    }


def _event_out(e: ConsultationEvent) -> dict[str, Any]:
    return {
        "at": e.at,
        "actor": e.actor_name,
        "action": e.action,
        "from_status": e.from_status,
        "to_status": e.to_status,
        "reason": e.reason,
    }


def _get(request: ApiRequest, consultation_uuid: UUID) -> Consultation:
    # For a transition and the answer after it: the write is audited, not a read.
    return get_consultation_for(
        actor=request.auth, consultation_uuid=consultation_uuid, intent=CHANGE
    )


def _fresh(request: ApiRequest, c: Consultation) -> dict[str, Any]:
    """The consultation as the caller now sees it, read once; one who no longer sees it (an
    expert who declined) gets it as it was when they let go."""
    try:
        return _out(_get(request, c.uuid), request.auth)
    except NotFound:
        return _out(c, request.auth)


def _experts(keys: list[UUID]) -> list[Expert]:
    found = {
        e.practitioner.uuid: e
        for e in Expert.objects.filter(practitioner__uuid__in=keys).select_related(
            "practitioner__user"
        )
    }
    missing = [str(k) for k in keys if k not in found]
    if missing:
        raise ValidationFailed.single(
            "experts", _("Unknown expert: %(ids)s") % {"ids": ", ".join(missing)}
        )
    return [found[k] for k in keys]


# ------------------------------------------------------------------ reads


@router.post(
    "",
    response={201: ConsultationOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Create a consultation request (a draft)",
)
def create(request: ApiRequest, payload: ConsultationIn) -> Status[dict[str, Any]]:
    patient = get_patient_for(actor=request.auth, patient_uuid=payload.patient, intent=CHANGE)
    c = svc.consultation_create(actor=request.auth, patient=patient, **_given(payload, "patient"))
    return Status(201, _out(_get(request, c.uuid), request.auth))


@router.get(
    "",
    response={200: list[ConsultationRowOut], 422: ErrorOut},
    summary="Consultations the caller sees, with filters",
)
def list_(request: ApiRequest, filters: Query[ListFilters]) -> list[dict[str, Any]]:
    start = filters.offset
    qs = consultations_for(
        actor=request.auth,
        scope=filters.scope,
        status=filters.status,
        urgency=filters.urgency,
        kind=filters.kind,
        overdue=filters.overdue,
        q=filters.q,
    )[start : start + filters.limit]
    criteria = {k: str(v) for k, v in filters.dict(exclude_none=True).items()}
    shown = rows_shown(
        actor=request.auth, rows=list(qs), resource_type="ServiceRequest",
        criteria={"list": "consultations.api", **criteria},
    )  # fmt: skip
    return [
        {
            "uuid": c.uuid,
            "number": c.number,
            "patient_name": c.patient.name,
            "requesting_institution": c.requesting_institution.name,
            "kind": c.kind,
            "urgency": c.urgency,
            "status": c.status,
            "status_label": str(State(c.status).label),
            "overdue": getattr(c, "is_overdue", False),
            "created_at": c.created_at,
            "accept_by": c.accept_by,
            "answer_by": c.answer_by,
        }
        for c in shown
    ]


@router.get(
    "/board",
    response={200: BoardOut, 403: ErrorOut},
    summary="Today's consultation board of the caller's centre",
)
def board(request: ApiRequest, day: Day | None = None) -> dict[str, Any]:
    b = today_board(actor=request.auth, day=day)
    return {
        "day": b.day,
        "total": b.total,
        "done": b.done,
        "waiting": b.waiting,
        "rows": [r.__dict__ for r in b.rows],
    }


@router.get(
    "/{consultation_uuid}",
    response={200: ConsultationOut, 404: ErrorOut},
    summary="One consultation",
)
def detail(request: ApiRequest, consultation_uuid: UUID) -> dict[str, Any]:
    c = get_consultation_for(actor=request.auth, consultation_uuid=consultation_uuid)
    return _out(c, request.auth)


@router.get(
    "/{consultation_uuid}/timeline",
    response={200: list[EventOut], 404: ErrorOut},
    summary="What happened, in order",
)
def timeline(request: ApiRequest, consultation_uuid: UUID) -> list[dict[str, Any]]:
    c = get_consultation_for(actor=request.auth, consultation_uuid=consultation_uuid)
    return [_event_out(e) for e in consultation_timeline(consultation=c)]


@router.get(
    "/{consultation_uuid}/opinions",
    response={200: list[OpinionOut], 404: ErrorOut},
    summary="Every opinion version, signed or draft",
)
def opinions(request: ApiRequest, consultation_uuid: UUID) -> list[dict[str, Any]]:
    c = get_consultation_for(actor=request.auth, consultation_uuid=consultation_uuid)
    return [_opinion_out(o) for o in consultation_opinions(consultation=c)]


# ------------------------------------------------------------------ transitions
# Each answers the consultation as the caller now sees it (a declined expert no longer does:
# they get what it was when they let go).


@router.patch(
    "/{consultation_uuid}",
    response={200: ConsultationOut, **ACT},
    summary="Amend a draft or a returned request",
)
def update(request: ApiRequest, consultation_uuid: UUID, payload: RequestFields) -> dict[str, Any]:
    c = svc.consultation_update(
        actor=request.auth, consultation=_get(request, consultation_uuid), **_given(payload)
    )
    return _fresh(request, c)


def _simple(name: str, service: Any, summary: str) -> None:
    @router.post(
        f"/{{consultation_uuid}}/{name}",
        response={200: ConsultationOut, **ACT},
        summary=summary,
        operation_id=f"consultation_{name.replace('-', '_')}",
    )
    def act(request: ApiRequest, consultation_uuid: UUID) -> dict[str, Any]:
        return _fresh(
            request, service(actor=request.auth, consultation=_get(request, consultation_uuid))
        )


_simple("submit", svc.consultation_submit, "Submit (needs the patient's consent)")
_simple("resubmit", svc.consultation_resubmit, "Resubmit after amending")
_simple("qc-pass", svc.consultation_qc_pass, "Quality check passed")
_simple("accept", svc.consultation_expert_accept, "The assigned expert accepts")
_simple("start", svc.consultation_start, "Start the consultation")


@router.post(
    "/{consultation_uuid}/qc-return",
    response={200: ConsultationOut, **ACT},
    summary="Return for more information",
)
def qc_return(request: ApiRequest, consultation_uuid: UUID, payload: CommentIn) -> dict[str, Any]:
    c = svc.consultation_qc_return(
        actor=request.auth, consultation=_get(request, consultation_uuid), comment=payload.comment
    )
    return _fresh(request, c)


@router.post(
    "/{consultation_uuid}/triage",
    response={200: ConsultationOut, **ACT},
    summary="Assign one expert, or several with a lead (MDT)",
)
def triage(request: ApiRequest, consultation_uuid: UUID, payload: TriageIn) -> dict[str, Any]:
    c = _get(request, consultation_uuid)
    experts = _experts(payload.experts)
    lead = _experts([payload.lead])[0] if payload.lead else None
    c = svc.consultation_triage_assign(
        actor=request.auth, consultation=c, experts=experts, lead=lead
    )
    return _fresh(request, c)


@router.post(
    "/{consultation_uuid}/decline",
    response={200: ConsultationOut, **ACT},
    summary="The assigned expert declines (reason required)",
)
def decline(request: ApiRequest, consultation_uuid: UUID, payload: ReasonIn) -> dict[str, Any]:
    c = svc.consultation_expert_decline(
        actor=request.auth, consultation=_get(request, consultation_uuid), reason=payload.reason
    )
    return _out(c, request.auth)


@router.post(
    "/{consultation_uuid}/cancel",
    response={200: ConsultationOut, **ACT},
    summary="Cancel before it starts (reason required)",
)
def cancel(request: ApiRequest, consultation_uuid: UUID, payload: ReasonIn) -> dict[str, Any]:
    c = svc.consultation_cancel(
        actor=request.auth, consultation=_get(request, consultation_uuid), reason=payload.reason
    )
    return _fresh(request, c)


def _slot(payload: SlotIn) -> Any:
    try:
        return get_slot(slot_uuid=payload.slot)
    except NotFound:
        raise ValidationFailed.single("slot", _("Unknown time slot.")) from None


@router.post(
    "/{consultation_uuid}/schedule",
    response={200: ConsultationOut, **ACT},
    summary="Book a slot of the expert's schedule (real-time)",
)
def schedule(request: ApiRequest, consultation_uuid: UUID, payload: SlotIn) -> dict[str, Any]:
    c = _get(request, consultation_uuid)
    c = svc.consultation_schedule(
        actor=request.auth, consultation=c, slot=_slot(payload), room=payload.room
    )
    return _fresh(request, c)


@router.post(
    "/{consultation_uuid}/reschedule",
    response={200: ConsultationOut, **ACT},
    summary="Move the booking to another slot",
)
def reschedule(request: ApiRequest, consultation_uuid: UUID, payload: SlotIn) -> dict[str, Any]:
    c = _get(request, consultation_uuid)
    c = svc.consultation_reschedule(
        actor=request.auth, consultation=c, slot=_slot(payload), room=payload.room
    )
    return _fresh(request, c)


@router.post(
    "/{consultation_uuid}/acknowledge",
    response={200: ConsultationOut, **ACT},
    summary="Acknowledge and rate the opinion (completes it)",
)
def acknowledge(request: ApiRequest, consultation_uuid: UUID, payload: RatingIn) -> dict[str, Any]:
    c = svc.consultation_acknowledge(
        actor=request.auth,
        consultation=_get(request, consultation_uuid),
        rating=payload.rating,
        comment=payload.comment,
    )
    return _fresh(request, c)


@router.put(
    "/{consultation_uuid}/opinion",
    response={200: OpinionOut, **ACT},
    summary="Save the caller's opinion draft",
)
def opinion_save(
    request: ApiRequest, consultation_uuid: UUID, payload: OpinionIn
) -> dict[str, Any]:
    values = payload.dict(exclude_unset=True, exclude={"summary"})
    o = svc.consultation_opinion_draft_save(
        actor=request.auth,
        consultation=_get(request, consultation_uuid),
        summary=payload.summary,
        **values,
    )
    return _opinion_out(o)


@router.post(
    "/{consultation_uuid}/opinion/sign",
    response={200: OpinionOut, **ACT, 429: ErrorOut},
    summary="Sign the opinion draft (password or TOTP code)",
)
def opinion_sign(request: ApiRequest, consultation_uuid: UUID, payload: SignIn) -> dict[str, Any]:
    o = svc.consultation_opinion_sign(
        actor=request.auth,
        consultation=_get(request, consultation_uuid),
        password=payload.password,
        code=payload.code,
        summary=payload.summary,
    )
    return _opinion_out(o)


@router.post(
    "/{consultation_uuid}/opinion/correct",
    response={200: OpinionOut, **ACT, 429: ErrorOut},
    summary="Correct a signed opinion: a new signed version with a reason",
)
def opinion_correct(
    request: ApiRequest, consultation_uuid: UUID, payload: CorrectIn
) -> dict[str, Any]:
    values = payload.dict(exclude_unset=True, exclude={"summary", "reason", "password", "code"})
    o = svc.consultation_opinion_correct(
        actor=request.auth,
        consultation=_get(request, consultation_uuid),
        reason=payload.reason,
        password=payload.password,
        code=payload.code,
        summary=payload.summary,
        **values,
    )
    return _opinion_out(o)
