"""Reads: the consultations the caller sees, today's board, one consultation, its timeline
and its opinions. Each records the read (or the search) through its selector."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ninja import Query

from xietong.core.api import ErrorOut
from xietong.core.http import ApiRequest
from xietong.core.inputs import Day
from xietong.core.listing import rows_shown

from ..models import Status as State
from ..schemas import (
    BoardOut,
    ConsultationOut,
    ConsultationRowOut,
    EventOut,
    ListFilters,
    OpinionOut,
)
from ..selectors import (
    consultation_opinions,
    consultation_timeline,
    consultations_for,
    get_consultation_for,
    today_board,
)
from ._common import consultation_out, event_out, opinion_out, router


@router.get(
    "",
    response={200: list[ConsultationRowOut], 422: ErrorOut},
    summary="Consultations the caller sees, with filters",
    operation_id="consultation_list",
)
def consultation_list(request: ApiRequest, filters: Query[ListFilters]) -> list[dict[str, Any]]:
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
    operation_id="consultation_board",
)
def consultation_board(request: ApiRequest, day: Day | None = None) -> dict[str, Any]:
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
    operation_id="consultation_detail",
)
def consultation_detail(request: ApiRequest, consultation_uuid: UUID) -> dict[str, Any]:
    c = get_consultation_for(actor=request.auth, consultation_uuid=consultation_uuid)
    return consultation_out(c, request.auth)


@router.get(
    "/{consultation_uuid}/timeline",
    response={200: list[EventOut], 404: ErrorOut},
    summary="What happened, in order",
    operation_id="consultation_timeline",
)
def consultation_timeline_read(
    request: ApiRequest, consultation_uuid: UUID
) -> list[dict[str, Any]]:
    c = get_consultation_for(actor=request.auth, consultation_uuid=consultation_uuid)
    return [event_out(e) for e in consultation_timeline(consultation=c)]


@router.get(
    "/{consultation_uuid}/opinions",
    response={200: list[OpinionOut], 404: ErrorOut},
    summary="Every opinion version, signed or draft",
    operation_id="consultation_opinions",
)
def consultation_opinions_read(
    request: ApiRequest, consultation_uuid: UUID
) -> list[dict[str, Any]]:
    c = get_consultation_for(actor=request.auth, consultation_uuid=consultation_uuid)
    return [opinion_out(o) for o in consultation_opinions(consultation=c)]
