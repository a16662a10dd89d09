"""After arrival: the examination report, the treatment summary, the down-referral and its
answer, follow-up visits, and closing the loop."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ninja import File, Form
from ninja.files import UploadedFile

from xietong.core.http import ApiRequest

from .. import services as svc
from ..schemas import (
    ReferralCloseIn,
    ReferralDownReferIn,
    ReferralFollowUpIn,
    ReferralOut,
    ReferralReasonIn,
    ReferralSummaryIn,
)
from ._common import ACT, answer, institution_of, router, to_act_on


@router.post(
    "/{referral_uuid}/report",
    response={200: ReferralOut, **ACT},
    summary="Upload the examination report (PDF, JPEG or PNG)",
    operation_id="referral_report",
)
def referral_report(
    request: ApiRequest,
    referral_uuid: UUID,
    file: File[UploadedFile],
    title: Form[str] = "",
    findings: Form[str] = "",
) -> dict[str, Any]:
    with to_act_on(request, referral_uuid) as seen:
        r = svc.referral_report_upload(
            actor=request.auth, referral=seen, file=file, title=title, findings=findings
        )
    return answer(request, r, seen)


@router.post(
    "/{referral_uuid}/treatment-summary",
    response={200: ReferralOut, **ACT},
    summary="The treatment summary when treatment ends",
    operation_id="referral_treatment_summary",
)
def referral_treatment_summary(
    request: ApiRequest, referral_uuid: UUID, payload: ReferralSummaryIn
) -> dict[str, Any]:
    with to_act_on(request, referral_uuid) as seen:
        r = svc.referral_treatment_summary(
            actor=request.auth, referral=seen, summary=payload.summary,
            discharge_diagnosis=payload.discharge_diagnosis,
        )  # fmt: skip
    return answer(request, r, seen)


@router.post(
    "/{referral_uuid}/down-refer",
    response={200: ReferralOut, **ACT},
    summary="Refer back down with a rehabilitation plan",
    operation_id="referral_down_refer",
)
def referral_down_refer(
    request: ApiRequest, referral_uuid: UUID, payload: ReferralDownReferIn
) -> dict[str, Any]:
    with to_act_on(request, referral_uuid) as seen:
        r = svc.referral_down_refer(
            actor=request.auth,
            referral=seen,
            down_institution=institution_of(payload.down_institution, "down_institution"),
            instructions=payload.instructions,
            medications=[m.dict() for m in payload.medications],
            follow_up_dates=payload.follow_up_dates,
        )
    return answer(request, r, seen)


@router.post(
    "/{referral_uuid}/down-accept",
    response={200: ReferralOut, **ACT},
    summary="The lower institution accepts",
    operation_id="referral_down_accept",
)
def referral_down_accept(request: ApiRequest, referral_uuid: UUID) -> dict[str, Any]:
    with to_act_on(request, referral_uuid) as seen:
        changed = svc.referral_down_accept(actor=request.auth, referral=seen)
    return answer(request, changed, seen)


@router.post(
    "/{referral_uuid}/down-decline",
    response={200: ReferralOut, **ACT},
    summary="Decline the down-referral",
    operation_id="referral_down_decline",
)
def referral_down_decline(
    request: ApiRequest, referral_uuid: UUID, payload: ReferralReasonIn
) -> dict[str, Any]:
    with to_act_on(request, referral_uuid) as seen:
        r = svc.referral_down_decline(actor=request.auth, referral=seen, reason=payload.reason)
    return answer(request, r, seen)


@router.post(
    "/{referral_uuid}/follow-up",
    response={200: ReferralOut, **ACT},
    summary="Record a follow-up visit against the plan",
    operation_id="referral_follow_up",
)
def referral_follow_up(
    request: ApiRequest, referral_uuid: UUID, payload: ReferralFollowUpIn
) -> dict[str, Any]:
    with to_act_on(request, referral_uuid) as seen:
        r = svc.referral_follow_up_record(
            actor=request.auth, referral=seen, follow_up_id=payload.follow_up,
            visited_on=payload.visited_on, note=payload.note,
        )  # fmt: skip
    return answer(request, r, seen)


@router.post(
    "/{referral_uuid}/close",
    response={200: ReferralOut, **ACT},
    summary="Close the loop with its outcome",
    operation_id="referral_close",
)
def referral_close(
    request: ApiRequest, referral_uuid: UUID, payload: ReferralCloseIn
) -> dict[str, Any]:
    with to_act_on(request, referral_uuid) as seen:
        r = svc.referral_close(
            actor=request.auth, referral=seen, outcome=payload.outcome, note=payload.note
        )
    return answer(request, r, seen)
