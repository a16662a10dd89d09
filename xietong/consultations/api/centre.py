"""The serving centre's operations: the quality check (pass or return), triage to one
expert or an MDT with a lead, and booking or moving the time."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from xietong.core.http import ApiRequest

from .. import services as svc
from ..schemas import CommentIn, ConsultationOut, SlotIn, TriageIn
from ._common import ACT, answer, experts_named, router, slot_named, to_act_on


@router.post(
    "/{consultation_uuid}/qc-pass",
    response={200: ConsultationOut, **ACT},
    summary="Quality check passed",
    operation_id="consultation_qc_pass",
)
def consultation_qc_pass(request: ApiRequest, consultation_uuid: UUID) -> dict[str, Any]:
    with to_act_on(request, consultation_uuid) as seen:
        c = svc.consultation_qc_pass(actor=request.auth, consultation=seen)
    return answer(request, c)


@router.post(
    "/{consultation_uuid}/qc-return",
    response={200: ConsultationOut, **ACT},
    summary="Return for more information",
    operation_id="consultation_qc_return",
)
def consultation_qc_return(
    request: ApiRequest, consultation_uuid: UUID, payload: CommentIn
) -> dict[str, Any]:
    with to_act_on(request, consultation_uuid) as seen:
        c = svc.consultation_qc_return(
            actor=request.auth,
            consultation=seen,
            comment=payload.comment,
        )
    return answer(request, c)


@router.post(
    "/{consultation_uuid}/triage",
    response={200: ConsultationOut, **ACT},
    summary="Assign one expert, or several with a lead (MDT)",
    operation_id="consultation_triage",
)
def consultation_triage(
    request: ApiRequest, consultation_uuid: UUID, payload: TriageIn
) -> dict[str, Any]:
    with to_act_on(request, consultation_uuid) as seen:
        experts = experts_named(payload.experts)
        lead = experts_named([payload.lead])[0] if payload.lead else None
        c = svc.consultation_triage_assign(
            actor=request.auth, consultation=seen, experts=experts, lead=lead
        )
    return answer(request, c)


@router.post(
    "/{consultation_uuid}/schedule",
    response={200: ConsultationOut, **ACT},
    summary="Book a slot of the expert's schedule (real-time)",
    operation_id="consultation_schedule",
)
def consultation_schedule(
    request: ApiRequest, consultation_uuid: UUID, payload: SlotIn
) -> dict[str, Any]:
    with to_act_on(request, consultation_uuid) as seen:
        c = svc.consultation_schedule(
            actor=request.auth,
            consultation=seen,
            slot=slot_named(payload.slot),
            room=payload.room,
        )
    return answer(request, c)


@router.post(
    "/{consultation_uuid}/reschedule",
    response={200: ConsultationOut, **ACT},
    summary="Move the booking to another slot",
    operation_id="consultation_reschedule",
)
def consultation_reschedule(
    request: ApiRequest, consultation_uuid: UUID, payload: SlotIn
) -> dict[str, Any]:
    with to_act_on(request, consultation_uuid) as seen:
        c = svc.consultation_reschedule(
            actor=request.auth,
            consultation=seen,
            slot=slot_named(payload.slot),
            room=payload.room,
        )
    return answer(request, c)
