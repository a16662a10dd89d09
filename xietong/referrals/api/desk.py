"""The receiving desk's operations: accept, acknowledge a green-channel referral, decline,
propose another time, check the patient in (by the referral or by the slip's number), or
mark that they did not come."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from xietong.core.http import ApiRequest

from .. import services as svc
from ..schemas import ReferralCheckInIn, ReferralOut, ReferralProposeIn, ReferralReasonIn
from ..selectors import referral_by_number_for
from ._common import ACT, answer, router, slot_of, to_act_on


@router.post(
    "/check-in",
    response={200: ReferralOut, **ACT},
    summary="Check a patient in by the slip's QR code or the referral number",
    operation_id="referral_check_in_by_number",
)
def referral_check_in_by_number(request: ApiRequest, payload: ReferralCheckInIn) -> dict[str, Any]:
    seen = referral_by_number_for(actor=request.auth, payload=payload.payload)
    r = svc.referral_check_in(actor=request.auth, referral=seen)
    return answer(request, r, seen)


@router.post(
    "/{referral_uuid}/accept",
    response={200: ReferralOut, **ACT},
    summary="The receiving desk accepts (the booking is confirmed)",
    operation_id="referral_accept",
)
def referral_accept(request: ApiRequest, referral_uuid: UUID) -> dict[str, Any]:
    with to_act_on(request, referral_uuid) as seen:
        changed = svc.referral_accept(actor=request.auth, referral=seen)
    return answer(request, changed, seen)


@router.post(
    "/{referral_uuid}/acknowledge",
    response={200: ReferralOut, **ACT},
    summary="Acknowledge a green-channel referral",
    operation_id="referral_acknowledge",
)
def referral_acknowledge(request: ApiRequest, referral_uuid: UUID) -> dict[str, Any]:
    with to_act_on(request, referral_uuid) as seen:
        changed = svc.referral_acknowledge(actor=request.auth, referral=seen)
    return answer(request, changed, seen)


@router.post(
    "/{referral_uuid}/decline",
    response={200: ReferralOut, **ACT},
    summary="The receiving desk declines (reason required)",
    operation_id="referral_decline",
)
def referral_decline(
    request: ApiRequest, referral_uuid: UUID, payload: ReferralReasonIn
) -> dict[str, Any]:
    with to_act_on(request, referral_uuid) as seen:
        r = svc.referral_decline(actor=request.auth, referral=seen, reason=payload.reason)
    return answer(request, r, seen)


@router.post(
    "/{referral_uuid}/propose",
    response={200: ReferralOut, **ACT},
    summary="Propose another slot",
    operation_id="referral_propose",
)
def referral_propose(
    request: ApiRequest, referral_uuid: UUID, payload: ReferralProposeIn
) -> dict[str, Any]:
    with to_act_on(request, referral_uuid) as seen:
        slot = slot_of(payload.slot)
        assert slot is not None
        r = svc.referral_propose(actor=request.auth, referral=seen, slot=slot, note=payload.note)
    return answer(request, r, seen)


@router.post(
    "/{referral_uuid}/check-in",
    response={200: ReferralOut, **ACT},
    summary="The patient has arrived",
    operation_id="referral_check_in",
)
def referral_check_in(request: ApiRequest, referral_uuid: UUID) -> dict[str, Any]:
    with to_act_on(request, referral_uuid) as seen:
        changed = svc.referral_check_in(actor=request.auth, referral=seen)
    return answer(request, changed, seen)


@router.post(
    "/{referral_uuid}/no-show",
    response={200: ReferralOut, **ACT},
    summary="The patient did not come",
    operation_id="referral_no_show",
)
def referral_no_show(request: ApiRequest, referral_uuid: UUID) -> dict[str, Any]:
    with to_act_on(request, referral_uuid) as seen:
        changed = svc.referral_mark_no_show(actor=request.auth, referral=seen)
    return answer(request, changed, seen)
