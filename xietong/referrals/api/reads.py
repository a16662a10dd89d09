"""Reading referrals: the list, one referral, its timeline and slip; and what a new referral
may go to: the institutions, their free slots; the desk's arrivals; the supervisors' counts."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Schema

from xietong.core.api import ErrorOut
from xietong.core.errors import ValidationFailed
from xietong.core.http import ApiRequest
from xietong.core.inputs import Day
from xietong.core.listing import rows_shown
from xietong.core.paging import PageIn
from xietong.scheduling.selectors import slots_free

from ..pdf import referral_slip_pdf
from ..schemas import (
    ReferralCriteriaCountOut,
    ReferralEventOut,
    ReferralOut,
    ReferralRowOut,
    ReferralTargetOut,
    detail_out,
    event_out,
    row_out,
)
from ..selectors import (
    arrivals_for,
    criteria_unmet_counts,
    get_referral_for,
    referral_targets_for,
    referrals_for,
    timeline_of,
)
from ..services import referral_actions
from ..services._bookings import PURPOSES
from ._common import ReferralSlotOut, institution_of, router, slot_out


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


@router.get(
    "",
    response={200: list[ReferralRowOut], 422: ErrorOut},
    summary="Referrals I see",
    operation_id="referral_list",
)
def referral_list(request: ApiRequest, filters: Query[ReferralListFilters]) -> list[dict[str, Any]]:
    offset, limit = filters.offset, filters.limit
    qs = referrals_for(
        actor=request.auth, scope=filters.scope, status=filters.status, kind=filters.kind,
        urgency=filters.urgency, q=filters.q,
    )[offset : offset + limit]  # fmt: skip
    criteria = filters.dict(exclude_none=True)
    return _rows_out(request, qs, {"list": "referrals.api", **criteria})


def _rows_out(request: ApiRequest, rows: Any, criteria: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows answered, recorded as one search of the patients they name."""
    shown = rows_shown(
        actor=request.auth, rows=list(rows), resource_type="ServiceRequest",
        criteria={k: str(v) for k, v in criteria.items()},
    )  # fmt: skip
    return [row_out(r) for r in shown]


@router.get(
    "/targets",
    response={200: list[ReferralTargetOut]},
    summary="Institutions that take my institution's referrals, higher levels first",
    operation_id="referral_targets",
)
def referral_targets(request: ApiRequest) -> list[dict[str, Any]]:
    return [
        {"uuid": i.uuid, "name": i.name, "level": i.level}
        for i in referral_targets_for(actor=request.auth)
    ]


@router.get(
    "/slots",
    response={200: list[ReferralSlotOut], 422: ErrorOut},
    summary="Free slots of an institution a referral of this kind may book (two weeks)",
    operation_id="referral_slots",
)
def referral_slots(
    request: ApiRequest, filters: Query[ReferralSlotFilters]
) -> list[dict[str, Any]]:
    institution = institution_of(filters.institution, "institution")
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
    return [slot_out(s) for s in qs[:100]]


@router.get(
    "/arrivals",
    response={200: list[ReferralRowOut]},
    summary="Patients expected at my institution today (and green-channel ones on the way)",
    operation_id="referral_arrivals",
)
def referral_arrivals(request: ApiRequest, day: Day | None = None) -> list[dict[str, Any]]:
    rows = arrivals_for(actor=request.auth, day=day)
    return _rows_out(request, rows, {"list": "referrals.arrivals", "day": day or ""})


@router.get(
    "/criteria-unmet",
    response={200: list[ReferralCriteriaCountOut]},
    summary="For supervisors: referrals outside the criteria, per sending institution",
    operation_id="referral_criteria_unmet",
)
def referral_criteria_unmet(request: ApiRequest) -> list[dict[str, Any]]:
    return criteria_unmet_counts(actor=request.auth)


@router.get(
    "/{referral_uuid}",
    response={200: ReferralOut, 404: ErrorOut},
    summary="One referral",
    operation_id="referral_detail",
)
def referral_detail(request: ApiRequest, referral_uuid: UUID) -> dict[str, Any]:
    r = get_referral_for(actor=request.auth, referral_uuid=referral_uuid)
    return detail_out(r, actions=referral_actions(actor=request.auth, referral=r))


@router.get(
    "/{referral_uuid}/timeline",
    response={200: list[ReferralEventOut], 404: ErrorOut},
    summary="Where the patient has been, in order",
    operation_id="referral_timeline",
)
def referral_timeline(request: ApiRequest, referral_uuid: UUID) -> list[dict[str, Any]]:
    r = get_referral_for(actor=request.auth, referral_uuid=referral_uuid)
    return [event_out(e) for e in timeline_of(r)]


@router.get(
    "/{referral_uuid}/slip",
    response={200: None, 404: ErrorOut},
    openapi_extra={
        "responses": {200: {"description": "The slip", "content": {"application/pdf": {}}}}
    },
    summary="The referral slip (PDF with a QR code of the number)",
    operation_id="referral_slip",
)
def referral_slip(request: ApiRequest, referral_uuid: UUID) -> HttpResponse:
    r = get_referral_for(actor=request.auth, referral_uuid=referral_uuid)
    response = HttpResponse(referral_slip_pdf(referral=r), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{r.number}.pdf"'
    return response
