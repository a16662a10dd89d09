"""Publishing capacity: schedules, their weekly rules and exceptions (the slots they make
are generated in slots.py). Only the owner institution's referral desk and administrators
write here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Message, NotFound, NotPermitted, ValidationFailed
from xietong.core.events import event_emit

from ..access import can_manage_schedules
from ..models import (
    ExaminationType,
    ExceptionKind,
    Purpose,
    Schedule,
    ScheduleException,
    ScheduleRule,
)

MAX_CAPACITY = 500

if TYPE_CHECKING:
    from xietong.directory.models import Department, Practitioner


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def schedules_authorize(actor: Actor, institution_id: int | None) -> None:
    """Only the owner institution's referral desk and administrators manage its schedules.
    Another institution's schedule is not theirs to know about (NotFound, 404); a role that
    never manages schedules may not start (NotPermitted, 403)."""
    if actor.institution_id != institution_id:
        raise NotFound()
    if not can_manage_schedules(actor):
        raise NotPermitted(
            _(
                "Only the referral desk or an administrator of the institution "
                "may manage its schedules."
            )
        )


def schedule_create(
    *,
    actor: Actor,
    name: str,
    purpose: str,
    department: Department | None = None,
    practitioner: Practitioner | None = None,
    examination_type: str = "",
) -> Schedule:
    """A schedule of the actor's own institution."""
    schedules_authorize(actor, actor.institution_id)
    errors: dict[str, list[Message]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > 100:
        errors["name"] = [_("At most 100 characters.")]
    if purpose not in Purpose.values:
        errors["purpose"] = [_("Select a valid choice.")]
    if examination_type and examination_type not in ExaminationType.values:
        errors["examination_type"] = [_("Select a valid choice.")]
    if purpose == Purpose.EXAMINATION and not examination_type:
        errors["examination_type"] = [_("An examination schedule needs its examination type.")]
    if practitioner is not None and practitioner.institution_id != actor.institution_id:
        errors["practitioner"] = [_("The practitioner does not work at your institution.")]
    if errors:
        raise ValidationFailed(errors)
    assert actor.institution_id is not None  # schedules_authorize admitted a member
    with transaction.atomic():
        schedule = Schedule.objects.create(
            institution_id=actor.institution_id,
            name=name,
            purpose=purpose,
            department=department,
            practitioner=practitioner,
            examination_type=examination_type or "",
        )
        audit_record(
            actor=actor,
            action="schedule.create",
            resource_type="Schedule",
            resource_id=schedule.uuid,
            detail={"name": name, "purpose": purpose},
        )
        event_emit("scheduling.schedule_created", schedule_id=schedule.pk)
    return schedule


def _time(value: Any) -> dt.time | None:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Session:
    start_time: dt.time
    end_time: dt.time
    slot_minutes: int
    capacity: int
    referral_reserved: int


def _session_clean(
    row: Mapping[str, Any], prefix: str, errors: dict[str, list[Message]]
) -> Session | None:
    """Checks one session's hours and numbers; messages go under `prefix` + field."""
    start, end = _time(row.get("start_time")), _time(row.get("end_time"))
    minutes, capacity = _int(row.get("slot_minutes")), _int(row.get("capacity"))
    reserved = _int(row.get("referral_reserved") or 0)
    bad = len(errors)
    if start is None:
        errors.setdefault(f"{prefix}start_time", []).append(_("Enter a valid time (HH:MM)."))
    if end is None:
        errors.setdefault(f"{prefix}end_time", []).append(_("Enter a valid time (HH:MM)."))
    elif start is not None and end <= start:
        errors.setdefault(f"{prefix}end_time", []).append(_("The end must be after the start."))
    if minutes is None or not 5 <= minutes <= 480:
        errors.setdefault(f"{prefix}slot_minutes", []).append(
            _("Slot length must be between 5 and 480 minutes.")
        )
    if capacity is None or not 1 <= capacity <= MAX_CAPACITY:
        errors.setdefault(f"{prefix}capacity", []).append(_("Capacity must be between 1 and 500."))
    if reserved is None or reserved < 0:
        errors.setdefault(f"{prefix}referral_reserved", []).append(_("Enter a whole number."))
    elif capacity is not None and reserved > capacity:
        errors.setdefault(f"{prefix}referral_reserved", []).append(
            _("The places reserved for referrals cannot exceed the capacity.")
        )
    if len(errors) > bad:
        return None
    assert start and end and minutes and capacity and reserved is not None
    if _minutes_between(start, end) < minutes:
        errors.setdefault(f"{prefix}slot_minutes", []).append(
            _("The session is shorter than one slot.")
        )
        return None
    return Session(start, end, minutes, capacity, reserved)


def _minutes_between(start: dt.time, end: dt.time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def schedule_rules_set(
    *, actor: Actor, schedule: Schedule, rules: Iterable[Mapping[str, Any]]
) -> list[ScheduleRule]:
    """Replaces the weekly template. Slots already generated change only when
    `slots_generate` runs again (booked ones never)."""
    schedules_authorize(actor, schedule.institution_id)
    errors: dict[str, list[Message]] = {}
    cleaned: list[tuple[int, Session]] = []
    for i, row in enumerate(rules):
        weekday = _int(row.get("weekday"))
        if weekday is None or not 0 <= weekday <= 6:
            errors.setdefault(f"rules.{i}.weekday", []).append(_("Select a valid choice."))
        session = _session_clean(row, f"rules.{i}.", errors)
        if session is None or weekday is None:
            continue
        for j, (other_day, other) in enumerate(cleaned):
            if (
                other_day == weekday
                and session.start_time < other.end_time
                and other.start_time < session.end_time
            ):
                errors.setdefault(f"rules.{i}.start_time", []).append(
                    _("This session overlaps session %(n)d of the same day.") % {"n": j + 1}
                )
        cleaned.append((weekday, session))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        schedule.rules.all().delete()
        created = ScheduleRule.objects.bulk_create(
            ScheduleRule(
                schedule=schedule,
                weekday=day,
                start_time=s.start_time,
                end_time=s.end_time,
                slot_minutes=s.slot_minutes,
                capacity=s.capacity,
                referral_reserved=s.referral_reserved,
            )
            for day, s in cleaned
        )
        audit_record(
            actor=actor,
            action="schedule.update",
            resource_type="Schedule",
            resource_id=schedule.uuid,
            detail={"rules": len(created)},
        )
        event_emit("scheduling.rules_set", schedule_id=schedule.pk)
    return list(schedule.rules.all())


def schedule_exception_add(
    *,
    actor: Actor,
    schedule: Schedule,
    date: dt.date | str | None,
    kind: str,
    start_time: Any = None,
    end_time: Any = None,
    slot_minutes: Any = None,
    capacity: Any = None,
    referral_reserved: Any = 0,
    reason: str = "",
) -> ScheduleException:
    schedules_authorize(actor, schedule.institution_id)
    errors: dict[str, list[Message]] = {}
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date.strip())
        except ValueError:
            date = None
    if date is None:
        errors["date"] = [_("Enter a valid date (YYYY-MM-DD).")]
    elif date < timezone.localdate():
        errors["date"] = [_("The date is in the past.")]
    if kind not in ExceptionKind.values:
        errors["kind"] = [_("Select a valid choice.")]
    reason = (reason or "").strip()
    if len(reason) > 200:
        errors["reason"] = [_("At most 200 characters.")]
    session = None
    if kind in (ExceptionKind.HOURS, ExceptionKind.EXTRA):
        session = _session_clean(
            {
                "start_time": start_time,
                "end_time": end_time,
                "slot_minutes": slot_minutes,
                "capacity": capacity,
                "referral_reserved": referral_reserved,
            },
            "",
            errors,
        )
    if errors:
        raise ValidationFailed(errors)
    assert isinstance(date, dt.date)
    with transaction.atomic():
        exception = ScheduleException.objects.create(
            schedule=schedule,
            date=date,
            kind=kind,
            reason=reason,
            start_time=session.start_time if session else None,
            end_time=session.end_time if session else None,
            slot_minutes=session.slot_minutes if session else None,
            capacity=session.capacity if session else None,
            referral_reserved=session.referral_reserved if session else 0,
        )
        audit_record(
            actor=actor,
            action="schedule.update",
            resource_type="Schedule",
            resource_id=schedule.uuid,
            detail={"exception": kind, "date": date.isoformat()},
        )
        event_emit("scheduling.exception_added", schedule_id=schedule.pk, date=date.isoformat())
    return exception
