"""Publishing capacity: schedules, their weekly rules and exceptions, and generating the
slots. Only the owner institution's referral desk and administrators write here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Message, NotPermitted, ValidationFailed
from xietong.core.events import event_emit
from xietong.directory.models import Department, Institution, Practitioner

from ..access import can_manage_schedules
from ..models import (
    ExaminationType,
    ExceptionKind,
    Purpose,
    Schedule,
    ScheduleException,
    ScheduleRule,
    Slot,
    SlotStatus,
)

# Slots are generated at most this far ahead, so a typo cannot create years of rows.
MAX_GENERATE_DAYS = 120
MAX_CAPACITY = 500


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _authorize(actor: Actor, institution_id: int | None) -> None:
    if not can_manage_schedules(actor) or actor.institution_id != institution_id:
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
    _authorize(actor, actor.institution_id)
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
    institution = Institution.objects.get(pk=actor.institution_id or 0)
    with transaction.atomic():
        schedule = Schedule.objects.create(
            institution=institution,
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
    _authorize(actor, schedule.institution_id)
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
    _authorize(actor, schedule.institution_id)
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


def sessions_on(
    day: dt.date, rules: list[ScheduleRule], exceptions: list[ScheduleException]
) -> list[Session]:
    """The sessions a day has: none when closed; other hours replace the weekly rules;
    extra sessions add to them."""
    todays = [e for e in exceptions if e.date == day]
    if any(e.kind == ExceptionKind.CLOSED for e in todays):
        return []

    def of(e: ScheduleException) -> Session:
        assert e.start_time and e.end_time and e.slot_minutes and e.capacity
        return Session(e.start_time, e.end_time, e.slot_minutes, e.capacity, e.referral_reserved)

    hours = [of(e) for e in todays if e.kind == ExceptionKind.HOURS]
    base = hours or [
        Session(r.start_time, r.end_time, r.slot_minutes, r.capacity, r.referral_reserved)
        for r in rules
        if r.weekday == day.weekday()
    ]
    return base + [of(e) for e in todays if e.kind == ExceptionKind.EXTRA]


@dataclass(frozen=True)
class GenerateResult:
    created: int
    updated: int
    removed: int
    kept_booked: int


def _wanted(
    schedule: Schedule, start_date: dt.date, end_date: dt.date, now: dt.datetime
) -> dict[dt.datetime, tuple[dt.datetime, int, int]]:
    zone = local_zone()
    rules = list(schedule.rules.all())
    exceptions = list(schedule.exceptions.filter(date__gte=start_date, date__lte=end_date))
    wanted: dict[dt.datetime, tuple[dt.datetime, int, int]] = {}
    day = start_date
    while day <= end_date:
        for s in sessions_on(day, rules, exceptions):
            at = dt.datetime.combine(day, s.start_time, tzinfo=zone)
            stop = dt.datetime.combine(day, s.end_time, tzinfo=zone)
            step = dt.timedelta(minutes=s.slot_minutes)
            while at + step <= stop:
                utc = at.astimezone(dt.UTC)
                if utc > now:
                    wanted.setdefault(
                        utc, ((at + step).astimezone(dt.UTC), s.capacity, s.referral_reserved)
                    )
                at += step
        day += dt.timedelta(days=1)
    return wanted


def slots_generate(
    *, actor: Actor, schedule: Schedule, start_date: dt.date, end_date: dt.date
) -> GenerateResult:
    """Makes the future slots of [start_date, end_date] match the rules and exceptions.
    Idempotent. Slots with bookings are never changed; slots nobody booked are created,
    updated or removed (marked unavailable when a cancelled booking still points at them)."""
    _authorize(actor, schedule.institution_id)
    errors: dict[str, list[Message]] = {}
    if end_date < start_date:
        errors["end_date"] = [_("The end date must not be before the start date.")]
    elif (end_date - start_date).days >= MAX_GENERATE_DAYS:
        errors["end_date"] = [_("Generate at most 120 days at a time.")]
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    zone = local_zone()
    window_start = max(now, dt.datetime.combine(start_date, dt.time(), tzinfo=zone))
    window_end = dt.datetime.combine(end_date + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    created = updated = removed = kept = 0
    with transaction.atomic():
        # One generation at a time per schedule; bookings lock slot rows, not the schedule.
        Schedule.objects.select_for_update().filter(pk=schedule.pk).first()
        wanted = _wanted(schedule, start_date, end_date, now)
        existing = Slot.objects.select_for_update().filter(
            schedule=schedule, start__gt=window_start, start__lt=window_end
        )
        for slot in existing:
            target = wanted.pop(slot.start, None)
            if slot.booked_count > 0:
                kept += 1
                # A closed day keeps its bookings for the desk to move, but takes no more;
                # reopened, the slot takes bookings again.
                status = (
                    SlotStatus.BUSY_UNAVAILABLE
                    if target is None
                    else (
                        SlotStatus.BUSY if slot.booked_count >= slot.capacity else SlotStatus.FREE
                    )
                )
                if slot.status != status:
                    slot.status = status
                    slot.save(update_fields=["status", "updated_at"])
                continue
            if target is None:
                if slot.bookings.exists():
                    if slot.status != SlotStatus.BUSY_UNAVAILABLE:
                        slot.status = SlotStatus.BUSY_UNAVAILABLE
                        slot.save(update_fields=["status", "updated_at"])
                else:
                    slot.delete()
                removed += 1
                continue
            end, capacity, reserved = target
            if (slot.end, slot.capacity, slot.referral_reserved, slot.status) != (
                end,
                capacity,
                reserved,
                SlotStatus.FREE,
            ):
                slot.end, slot.capacity, slot.referral_reserved = end, capacity, reserved
                slot.status = SlotStatus.FREE
                slot.save(
                    update_fields=["end", "capacity", "referral_reserved", "status", "updated_at"]
                )
                updated += 1
        if schedule.active:
            new = [
                Slot(
                    schedule=schedule,
                    institution_id=schedule.institution_id,
                    department_id=schedule.department_id,
                    practitioner_id=schedule.practitioner_id,
                    examination_type=schedule.examination_type,
                    purpose=schedule.purpose,
                    start=start,
                    end=end,
                    capacity=capacity,
                    referral_reserved=reserved,
                )
                for start, (end, capacity, reserved) in sorted(wanted.items())
            ]
            Slot.objects.bulk_create(new, batch_size=500)
            created = len(new)
        result = GenerateResult(created, updated, removed, kept)
        audit_record(
            actor=actor,
            action="schedule.update",
            resource_type="Schedule",
            resource_id=schedule.uuid,
            detail={
                "generated": [start_date.isoformat(), end_date.isoformat()],
                "created": created,
                "updated": updated,
                "removed": removed,
            },
        )
        event_emit("scheduling.slots_generated", schedule_id=schedule.pk, created=created)
    return result
