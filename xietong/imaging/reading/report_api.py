"""/api/v1/imaging/readings/{uuid}: the report's operations, on the reading router — the
versions the caller may read, the claimer's draft and preliminary, the senior's signature
and return, the correction, and the requester's acknowledgement of a critical finding."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from ninja import Schema

from xietong.core.api import ErrorOut
from xietong.core.http import ApiRequest
from xietong.core.inputs import text
from xietong.core.reads import CHANGE

from . import reports as rep
from .api import ACT, ReadingOut, ReasonIn, reading_out, router
from .machine import reading_held
from .models import ImagingReport
from .selectors import get_reading_for, reports_shown_to

_TEXT = 10_000


class ReportIn(Schema):
    technique: str | None = text(None, most=_TEXT, checked=True)
    findings: str | None = text(None, most=_TEXT, checked=True)
    impression: str | None = text(None, most=_TEXT, checked=True)
    advice: str | None = text(None, most=_TEXT, checked=True)
    critical: bool | None = None


class SignIn(Schema):
    password: str = text("", most=200, checked=True)
    code: str = text("", most=10, checked=True, description="a current TOTP code instead")


class CorrectIn(ReportIn):
    reason: str = text(required=True, most=2000, checked=True)
    password: str = text("", most=200, checked=True)
    code: str = text("", most=10, checked=True)


class ReportOut(Schema):
    uuid: UUID
    version: int
    technique: str
    findings: str
    impression: str
    advice: str
    critical: bool
    author: str
    preliminary_at: dt.datetime | None
    signed: bool
    signed_at: dt.datetime | None
    signed_by: str | None
    content_hash: str
    supersedes: UUID | None
    correction_reason: str


def report_out(o: ImagingReport) -> dict[str, Any]:
    signer = o.signed_by
    return {
        "uuid": o.uuid, "version": o.version, "technique": o.technique, "findings": o.findings,
        "impression": o.impression, "advice": o.advice, "critical": o.critical,
        "author": o.author.display_name or o.author.username, "preliminary_at": o.preliminary_at,
        "signed": o.is_signed, "signed_at": o.signed_at,
        "signed_by": (signer.display_name or signer.username) if signer else None,
        "content_hash": o.content_hash,
        "supersedes": o.supersedes.uuid if o.supersedes_id and o.supersedes else None,
        "correction_reason": o.correction_reason,
    }  # fmt: skip


def _content(payload: ReportIn) -> dict[str, Any]:
    return payload.dict(exclude_unset=True, exclude_none=True,
                        exclude={"reason", "password", "code"})  # fmt: skip


@router.get(
    "/readings/{reading_uuid}/reports",
    response={200: list[ReportOut], 404: ErrorOut},
    summary="The report's versions the caller may read, newest first",
    operation_id="imaging_report_list",
)
def imaging_report_list(request: ApiRequest, reading_uuid: UUID) -> list[dict[str, Any]]:
    r = get_reading_for(actor=request.auth, reading_uuid=reading_uuid)
    return [report_out(o) for o in reports_shown_to(actor=request.auth, reading=r)]


@router.put(
    "/readings/{reading_uuid}/report",
    response={200: ReportOut, **ACT},
    summary="Save the claimer's report draft",
    operation_id="imaging_report_save",
)
def imaging_report_save(request: ApiRequest, reading_uuid: UUID, payload: ReportIn) -> Any:
    with reading_held(actor=request.auth, reading_uuid=reading_uuid) as seen:
        o = rep.report_draft_save(actor=request.auth, reading=seen, **_content(payload))
    return report_out(o)


@router.post(
    "/readings/{reading_uuid}/preliminary",
    response={200: ReadingOut, **ACT},
    summary="Submit the report (with these changes) as preliminary, for a senior's review",
    operation_id="imaging_report_preliminary",
)
def imaging_report_preliminary(request: ApiRequest, reading_uuid: UUID, payload: ReportIn) -> Any:
    with reading_held(actor=request.auth, reading_uuid=reading_uuid) as seen:
        rep.report_preliminary(actor=request.auth, reading=seen, **_content(payload))
    return reading_out(seen, request.auth)


@router.post(
    "/readings/{reading_uuid}/sign",
    response={200: ReadingOut, **ACT},
    summary="A senior signs the final report with their password (or a current code)",
    operation_id="imaging_report_sign",
)
def imaging_report_sign(request: ApiRequest, reading_uuid: UUID, payload: SignIn) -> Any:
    r = get_reading_for(actor=request.auth, reading_uuid=reading_uuid, intent=CHANGE)
    rep.report_sign(actor=request.auth, reading=r, password=payload.password, code=payload.code)
    return reading_out(get_reading_for(actor=request.auth, reading_uuid=reading_uuid,
                                       intent=CHANGE), request.auth)  # fmt: skip


@router.post(
    "/readings/{reading_uuid}/return",
    response={200: ReadingOut, **ACT},
    summary="A senior returns the preliminary report to its reader (reason required)",
    operation_id="imaging_report_return",
)
def imaging_report_return(request: ApiRequest, reading_uuid: UUID, payload: ReasonIn) -> Any:
    with reading_held(actor=request.auth, reading_uuid=reading_uuid) as seen:
        rep.report_return(actor=request.auth, reading=seen, reason=payload.reason)
    return reading_out(seen, request.auth)


@router.post(
    "/readings/{reading_uuid}/correct",
    response={200: ReportOut, **ACT},
    summary="Correct the signed report: a new signed version with the reason",
    operation_id="imaging_report_correct",
)
def imaging_report_correct(request: ApiRequest, reading_uuid: UUID, payload: CorrectIn) -> Any:
    r = get_reading_for(actor=request.auth, reading_uuid=reading_uuid, intent=CHANGE)
    o = rep.report_correct(actor=request.auth, reading=r, reason=payload.reason,
                           password=payload.password, code=payload.code,
                           **_content(payload))  # fmt: skip
    return report_out(o)


@router.post(
    "/readings/{reading_uuid}/critical-ack",
    response={200: ReadingOut, **ACT},
    summary="The requester acknowledges the report's critical finding",
    operation_id="imaging_critical_acknowledge",
)
def imaging_critical_acknowledge(request: ApiRequest, reading_uuid: UUID) -> Any:
    with reading_held(actor=request.auth, reading_uuid=reading_uuid) as seen:
        r = rep.critical_acknowledge(actor=request.auth, reading=seen)
    return reading_out(r, request.auth)
