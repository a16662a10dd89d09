"""The requesting doctor's operations: create a draft, amend it, submit, resubmit after a
return, cancel, and acknowledge the signed opinion with a rating."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ninja import Status

from xietong.core.api import ErrorOut
from xietong.core.http import ApiRequest
from xietong.core.reads import CHANGE
from xietong.patients.selectors import get_patient_for

from .. import services as svc
from ..schemas import ConsultationIn, ConsultationOut, RatingIn, ReasonIn, RequestFields
from ..selectors import get_consultation_for
from ._common import ACT, answer, consultation_out, given, router, to_act_on


@router.post(
    "",
    response={201: ConsultationOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Create a consultation request (a draft)",
    operation_id="consultation_create",
)
def consultation_create(request: ApiRequest, payload: ConsultationIn) -> Status[dict[str, Any]]:
    patient = get_patient_for(actor=request.auth, patient_uuid=payload.patient, intent=CHANGE)
    c = svc.consultation_create(actor=request.auth, patient=patient, **given(payload, "patient"))
    made = get_consultation_for(actor=request.auth, consultation_uuid=c.uuid, intent=CHANGE)
    return Status(201, consultation_out(made, request.auth))


@router.patch(
    "/{consultation_uuid}",
    response={200: ConsultationOut, **ACT},
    summary="Amend a draft or a returned request",
    operation_id="consultation_update",
)
def consultation_update(
    request: ApiRequest, consultation_uuid: UUID, payload: RequestFields
) -> dict[str, Any]:
    with to_act_on(request, consultation_uuid) as seen:
        c = svc.consultation_update(actor=request.auth, consultation=seen, **given(payload))
    return answer(request, c)


@router.post(
    "/{consultation_uuid}/submit",
    response={200: ConsultationOut, **ACT},
    summary="Submit (needs the patient's consent)",
    operation_id="consultation_submit",
)
def consultation_submit(request: ApiRequest, consultation_uuid: UUID) -> dict[str, Any]:
    with to_act_on(request, consultation_uuid) as seen:
        c = svc.consultation_submit(actor=request.auth, consultation=seen)
    return answer(request, c)


@router.post(
    "/{consultation_uuid}/resubmit",
    response={200: ConsultationOut, **ACT},
    summary="Resubmit after amending",
    operation_id="consultation_resubmit",
)
def consultation_resubmit(request: ApiRequest, consultation_uuid: UUID) -> dict[str, Any]:
    with to_act_on(request, consultation_uuid) as seen:
        c = svc.consultation_resubmit(actor=request.auth, consultation=seen)
    return answer(request, c)


@router.post(
    "/{consultation_uuid}/cancel",
    response={200: ConsultationOut, **ACT},
    summary="Cancel before it starts (reason required)",
    operation_id="consultation_cancel",
)
def consultation_cancel(
    request: ApiRequest, consultation_uuid: UUID, payload: ReasonIn
) -> dict[str, Any]:
    with to_act_on(request, consultation_uuid) as seen:
        c = svc.consultation_cancel(
            actor=request.auth,
            consultation=seen,
            reason=payload.reason,
        )
    return answer(request, c)


@router.post(
    "/{consultation_uuid}/acknowledge",
    response={200: ConsultationOut, **ACT},
    summary="Acknowledge and rate the opinion (completes it)",
    operation_id="consultation_acknowledge",
)
def consultation_acknowledge(
    request: ApiRequest, consultation_uuid: UUID, payload: RatingIn
) -> dict[str, Any]:
    with to_act_on(request, consultation_uuid) as seen:
        c = svc.consultation_acknowledge(
            actor=request.auth,
            consultation=seen,
            rating=payload.rating,
            comment=payload.comment,
        )
    return answer(request, c)
