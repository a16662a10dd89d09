"""/api/v1/scheduling: schedules, their rules and exceptions, slot generation, the free-slot
search and bookings. A refused booking answers 409 with the next free slots."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status

from xietong.core.api import ErrorOut
from xietong.core.errors import Message, NotPermitted, ValidationFailed
from xietong.core.http import ApiRequest
from xietong.core.paging import limit_field
from xietong.core.reads import CHANGE
from xietong.directory.selectors import (
    department_by_code,
    institution_by_code,
    practitioner_by_uuid,
)
from xietong.patients.selectors import get_patient_for

from .access import can_book
from .models import Booking, Schedule, ScheduleException, ScheduleRule, Slot
from .selectors import get_booking_for, get_schedule_for, get_slot, schedules_for, slots_free
from .services import (
    SlotTaken,
    booking_cancel,
    booking_create,
    booking_reschedule,
    schedule_create,
    schedule_exception_add,
    schedule_rules_set,
    slots_generate,
)

router = Router(tags=["scheduling"])
ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ScheduleIn(Schema):
    name: str = ""
    purpose: str = ""
    department_code: str | None = None
    practitioner_uuid: UUID | None = None
    examination_type: str = ""


class ScheduleOut(Schema):
    uuid: UUID
    name: str
    purpose: str
    department_code: str | None
    practitioner_uuid: UUID | None
    examination_type: str
    active: bool


class RuleIn(Schema):
    weekday: int
    start_time: str
    end_time: str
    slot_minutes: int
    capacity: int
    referral_reserved: int = 0


class RuleOut(Schema):
    weekday: int
    start_time: dt.time
    end_time: dt.time
    slot_minutes: int
    capacity: int
    referral_reserved: int


class RulesIn(Schema):
    rules: list[RuleIn]


class ExceptionIn(Schema):
    date: str = ""
    kind: str = ""
    start_time: str | None = None
    end_time: str | None = None
    slot_minutes: int | None = None
    capacity: int | None = None
    referral_reserved: int = 0
    reason: str = ""


class ExceptionOut(Schema):
    id: int
    date: dt.date
    kind: str
    start_time: dt.time | None
    end_time: dt.time | None
    reason: str


class GenerateIn(Schema):
    start_date: dt.date
    end_date: dt.date


class GenerateOut(Schema):
    created: int
    updated: int
    removed: int
    kept_booked: int


class SlotOut(Schema):
    uuid: UUID
    institution_code: str
    institution_name: str
    department_code: str | None
    practitioner_name: str | None
    examination_type: str
    purpose: str
    start: dt.datetime
    end: dt.datetime
    capacity: int
    booked_count: int
    referral_reserved: int
    status: str


class SlotTakenOut(ErrorOut):
    alternatives: list[SlotOut] = []


class BookingIn(Schema):
    slot_uuid: UUID
    subject_type: str
    subject_id: UUID
    patient_uuid: UUID | None = None
    via_referral: bool = False


class BookingOut(Schema):
    uuid: UUID
    number: str
    status: str
    subject_type: str
    subject_id: UUID
    via_referral: bool
    slot: SlotOut
    created_at: dt.datetime


class CancelIn(Schema):
    reason: str = ""


class RescheduleIn(Schema):
    slot_uuid: UUID


class SlotQuery(Schema):
    institution_code: str | None = None
    department_code: str | None = None
    practitioner_uuid: UUID | None = None
    examination_type: str | None = None
    purpose: str | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    via_referral: bool = False
    limit: int = limit_field(default=50)


def schedule_out(s: Schedule) -> dict[str, Any]:
    return {
        "uuid": s.uuid,
        "name": s.name,
        "purpose": s.purpose,
        "department_code": s.department.code if s.department else None,
        "practitioner_uuid": s.practitioner.uuid if s.practitioner else None,
        "examination_type": s.examination_type,
        "active": s.active,
    }


def slot_out(s: Slot) -> dict[str, Any]:
    return {
        "uuid": s.uuid,
        "institution_code": s.institution.code,
        "institution_name": s.institution.name,
        "department_code": s.department.code if s.department else None,
        "practitioner_name": s.practitioner.name if s.practitioner else None,
        "examination_type": s.examination_type,
        "purpose": s.purpose,
        "start": s.start,
        "end": s.end,
        "capacity": s.capacity,
        "booked_count": s.booked_count,
        "referral_reserved": s.referral_reserved,
        "status": s.status,
    }


def booking_out(b: Booking) -> dict[str, Any]:
    return {
        "uuid": b.uuid,
        "number": b.number,
        "status": b.status,
        "subject_type": b.subject_type,
        "subject_id": b.subject_id,
        "via_referral": b.via_referral,
        "slot": slot_out(b.slot),
        "created_at": b.created_at,
    }


def _slot_taken(exc: SlotTaken) -> Status:
    return Status(
        409,
        {
            "code": exc.code,
            "message": str(exc.message),
            "alternatives": [slot_out(s) for s in exc.alternatives],
        },
    )


@router.get("/schedules", response={200: list[ScheduleOut], **ERRORS})
def schedules_list(request: ApiRequest) -> list[dict[str, Any]]:
    return [schedule_out(s) for s in schedules_for(actor=request.auth)]


@router.post("/schedules", response={201: ScheduleOut, **ERRORS})
def schedules_create(request: ApiRequest, payload: ScheduleIn) -> Status:
    department = practitioner = None
    unknown: dict[str, list[Message]] = {}
    if payload.department_code:
        department = department_by_code(code=payload.department_code)
        if department is None:
            unknown["department_code"] = [_("No department has this code.")]
    if payload.practitioner_uuid:
        practitioner = practitioner_by_uuid(uuid=payload.practitioner_uuid)
        if practitioner is None:
            unknown["practitioner_uuid"] = [_("No practitioner has this ID.")]
    if unknown:
        raise ValidationFailed(unknown)
    schedule = schedule_create(
        actor=request.auth,
        name=payload.name,
        purpose=payload.purpose,
        department=department,
        practitioner=practitioner,
        examination_type=payload.examination_type,
    )
    return Status(201, schedule_out(schedule))


@router.get("/schedules/{schedule_uuid}", response={200: ScheduleOut, **ERRORS})
def schedules_read(request: ApiRequest, schedule_uuid: UUID) -> dict[str, Any]:
    return schedule_out(get_schedule_for(actor=request.auth, schedule_uuid=schedule_uuid))


@router.put("/schedules/{schedule_uuid}/rules", response={200: list[RuleOut], **ERRORS})
def rules_set(request: ApiRequest, schedule_uuid: UUID, payload: RulesIn) -> list[ScheduleRule]:
    schedule = get_schedule_for(actor=request.auth, schedule_uuid=schedule_uuid)
    return schedule_rules_set(
        actor=request.auth, schedule=schedule, rules=[r.model_dump() for r in payload.rules]
    )


@router.post("/schedules/{schedule_uuid}/exceptions", response={201: ExceptionOut, **ERRORS})
def exceptions_add(request: ApiRequest, schedule_uuid: UUID, payload: ExceptionIn) -> Status:
    schedule = get_schedule_for(actor=request.auth, schedule_uuid=schedule_uuid)
    exception: ScheduleException = schedule_exception_add(
        actor=request.auth, schedule=schedule, **payload.model_dump()
    )
    return Status(201, exception)


@router.post("/schedules/{schedule_uuid}/slots", response={200: GenerateOut, **ERRORS})
def slots_generate_api(
    request: ApiRequest, schedule_uuid: UUID, payload: GenerateIn
) -> dict[str, int]:
    schedule = get_schedule_for(actor=request.auth, schedule_uuid=schedule_uuid)
    result = slots_generate(
        actor=request.auth,
        schedule=schedule,
        start_date=payload.start_date,
        end_date=payload.end_date,
    )
    return result.__dict__


@router.get("/slots", response={200: list[SlotOut], **ERRORS})
def slots_search(request: ApiRequest, filters: Query[SlotQuery]) -> list[dict[str, Any]]:
    """Free slots by time (default: the next two weeks), for a kind of booking."""
    institution: Any = None
    department: Any = None
    practitioner: Any = None
    if filters.institution_code:
        institution = institution_by_code(code=filters.institution_code) or 0
    if filters.department_code:
        department = department_by_code(code=filters.department_code) or 0
    if filters.practitioner_uuid:
        practitioner = practitioner_by_uuid(uuid=filters.practitioner_uuid) or 0
    slots = slots_free(
        institution=institution,
        department=department,
        practitioner=practitioner,
        examination_type=filters.examination_type,
        purpose=filters.purpose,
        start=filters.start,
        end=filters.end,
        via_referral=filters.via_referral,
        limit=max(1, min(filters.limit, 200)),
    )
    return [slot_out(s) for s in slots]


@router.post("/bookings", response={201: BookingOut, 409: SlotTakenOut, **ERRORS})
def bookings_create(request: ApiRequest, payload: BookingIn) -> Any:
    """A bare booking: `subject_type` "patient" and, as `subject_id`, a patient of the
    caller's institution. Consultations and referrals book, move and cancel their own."""
    actor = request.auth
    if not can_book(actor):
        raise NotPermitted(_not_permitted())
    slot = get_slot(slot_uuid=payload.slot_uuid)
    patient = None
    if payload.patient_uuid:
        patient = get_patient_for(actor=actor, patient_uuid=payload.patient_uuid, intent=CHANGE)
    try:
        booking = booking_create(
            actor=actor,
            slot=slot,
            subject_type=payload.subject_type,
            subject_id=payload.subject_id,
            patient=patient,
            via_referral=payload.via_referral,
        )
    except SlotTaken as exc:
        return _slot_taken(exc)
    return Status(201, booking_out(booking))


@router.post("/bookings/{booking_uuid}/cancel", response={200: BookingOut, 409: ErrorOut, **ERRORS})
def bookings_cancel(request: ApiRequest, booking_uuid: UUID, payload: CancelIn) -> Any:
    booking = get_booking_for(actor=request.auth, booking_uuid=booking_uuid)
    return booking_out(booking_cancel(actor=request.auth, booking=booking, reason=payload.reason))


@router.post(
    "/bookings/{booking_uuid}/reschedule",
    response={200: BookingOut, 409: SlotTakenOut, **ERRORS},
)
def bookings_reschedule(request: ApiRequest, booking_uuid: UUID, payload: RescheduleIn) -> Any:
    booking = get_booking_for(actor=request.auth, booking_uuid=booking_uuid)
    new_slot = get_slot(slot_uuid=payload.slot_uuid)
    try:
        moved = booking_reschedule(actor=request.auth, booking=booking, new_slot=new_slot)
    except SlotTaken as exc:
        return _slot_taken(exc)
    return booking_out(moved)


def _not_permitted() -> Message:
    return _("Your role may not book slots.")
