"""The sending side's operations: refer a patient up, cancel, answer a proposed time."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ninja import Status

from xietong.core.api import ErrorOut
from xietong.core.http import ApiRequest
from xietong.core.reads import CHANGE
from xietong.patients.selectors import get_patient_for
from xietong.scheduling.services import SlotTaken

from .. import services as svc
from ..schemas import ReferralIn, ReferralOut, ReferralReasonIn, ReferralSlotTakenOut
from ..selectors import get_referral_for
from ._common import ACT, answer, institution_of, router, slot_of, slot_taken, to_act_on


@router.post(
    "",
    response={201: ReferralOut, 404: ErrorOut, 409: ReferralSlotTakenOut, 422: ErrorOut},
    summary="Refer a patient up (booking the slot), or by the green channel",
    operation_id="referral_create",
)
def referral_create(request: ApiRequest, payload: ReferralIn) -> Status[dict[str, Any]]:
    patient = get_patient_for(actor=request.auth, patient_uuid=payload.patient, intent=CHANGE)
    previous = (
        get_referral_for(actor=request.auth, referral_uuid=payload.previous, intent=CHANGE)
        if payload.previous
        else None
    )
    try:
        r = svc.referral_create(
            actor=request.auth,
            patient=patient,
            kind=payload.kind,
            receiving_institution=institution_of(
                payload.receiving_institution, "receiving_institution"
            ),
            slot=slot_of(payload.slot),
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
        return slot_taken(exc)
    return Status(201, answer(request, r))


@router.post(
    "/{referral_uuid}/cancel",
    response={200: ReferralOut, **ACT},
    summary="The sender cancels (reason required)",
    operation_id="referral_cancel",
)
def referral_cancel(
    request: ApiRequest, referral_uuid: UUID, payload: ReferralReasonIn
) -> dict[str, Any]:
    with to_act_on(request, referral_uuid) as seen:
        r = svc.referral_cancel(actor=request.auth, referral=seen, reason=payload.reason)
    return answer(request, r, seen)


@router.post(
    "/{referral_uuid}/proposal-accept",
    response={200: ReferralOut, 404: ErrorOut, 409: ReferralSlotTakenOut, 422: ErrorOut},
    summary="Take the proposed slot",
    operation_id="referral_proposal_accept",
)
def referral_proposal_accept(request: ApiRequest, referral_uuid: UUID) -> Any:
    with to_act_on(request, referral_uuid) as seen:
        try:
            r = svc.referral_proposal_accept(actor=request.auth, referral=seen)
        except SlotTaken as exc:
            return slot_taken(exc)
    return answer(request, r, seen)


@router.post(
    "/{referral_uuid}/proposal-decline",
    response={200: ReferralOut, **ACT},
    summary="Decline the proposed time",
    operation_id="referral_proposal_decline",
)
def referral_proposal_decline(
    request: ApiRequest, referral_uuid: UUID, payload: ReferralReasonIn
) -> dict[str, Any]:
    with to_act_on(request, referral_uuid) as seen:
        r = svc.referral_proposal_decline(actor=request.auth, referral=seen, reason=payload.reason)
    return answer(request, r, seen)
