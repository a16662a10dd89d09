"""The expert's operations: accept or decline the assignment, start, and the opinion
(save the draft, sign it, correct a signed one as a new version)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from xietong.core.api import ErrorOut
from xietong.core.http import ApiRequest

from .. import services as svc
from ..schemas import ConsultationOut, CorrectIn, OpinionIn, OpinionOut, ReasonIn, SignIn
from ._common import ACT, answer, consultation_out, opinion_out, router, to_act_on, to_sign


@router.post(
    "/{consultation_uuid}/accept",
    response={200: ConsultationOut, **ACT},
    summary="The assigned expert accepts",
    operation_id="consultation_accept",
)
def consultation_accept(request: ApiRequest, consultation_uuid: UUID) -> dict[str, Any]:
    with to_act_on(request, consultation_uuid) as seen:
        c = svc.consultation_expert_accept(actor=request.auth, consultation=seen)
    return answer(request, c)


@router.post(
    "/{consultation_uuid}/decline",
    response={200: ConsultationOut, **ACT},
    summary="The assigned expert declines (reason required)",
    operation_id="consultation_decline",
)
def consultation_decline(
    request: ApiRequest, consultation_uuid: UUID, payload: ReasonIn
) -> dict[str, Any]:
    with to_act_on(request, consultation_uuid) as seen:
        c = svc.consultation_expert_decline(
            actor=request.auth,
            consultation=seen,
            reason=payload.reason,
        )
    # The expert no longer sees it: the answer is what it was when they let go.
    return consultation_out(c, request.auth)


@router.post(
    "/{consultation_uuid}/start",
    response={200: ConsultationOut, **ACT},
    summary="Start the consultation",
    operation_id="consultation_start",
)
def consultation_start(request: ApiRequest, consultation_uuid: UUID) -> dict[str, Any]:
    with to_act_on(request, consultation_uuid) as seen:
        c = svc.consultation_start(actor=request.auth, consultation=seen)
    return answer(request, c)


@router.put(
    "/{consultation_uuid}/opinion",
    response={200: OpinionOut, **ACT},
    summary="Save the caller's opinion draft",
    operation_id="consultation_opinion_save",
)
def consultation_opinion_save(
    request: ApiRequest, consultation_uuid: UUID, payload: OpinionIn
) -> dict[str, Any]:
    values = payload.dict(exclude_unset=True, exclude={"summary"})
    with to_act_on(request, consultation_uuid) as seen:
        o = svc.consultation_opinion_draft_save(
            actor=request.auth,
            consultation=seen,
            summary=payload.summary,
            **values,
        )
    return opinion_out(o)


@router.post(
    "/{consultation_uuid}/opinion/sign",
    response={200: OpinionOut, **ACT, 429: ErrorOut},
    summary="Sign the opinion draft (password or TOTP code)",
    operation_id="consultation_opinion_sign",
)
def consultation_opinion_sign(
    request: ApiRequest, consultation_uuid: UUID, payload: SignIn
) -> dict[str, Any]:
    o = svc.consultation_opinion_sign(
        actor=request.auth,
        consultation=to_sign(request, consultation_uuid),
        password=payload.password,
        code=payload.code,
        summary=payload.summary,
    )
    return opinion_out(o)


@router.post(
    "/{consultation_uuid}/opinion/correct",
    response={200: OpinionOut, **ACT, 429: ErrorOut},
    summary="Correct a signed opinion: a new signed version with a reason",
    operation_id="consultation_opinion_correct",
)
def consultation_opinion_correct(
    request: ApiRequest, consultation_uuid: UUID, payload: CorrectIn
) -> dict[str, Any]:
    values = payload.dict(exclude_unset=True, exclude={"summary", "reason", "password", "code"})
    o = svc.consultation_opinion_correct(
        actor=request.auth,
        consultation=to_sign(request, consultation_uuid),
        reason=payload.reason,
        password=payload.password,
        code=payload.code,
        summary=payload.summary,
        **values,
    )
    return opinion_out(o)
