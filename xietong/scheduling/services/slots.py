"""Generating slots: the future slots of a period made to match a schedule's weekly rules
and its exceptions, idempotently, never touching a slot somebody booked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Message, ValidationFailed
from xietong.core.events import event_emit

from ..models import ExceptionKind, Schedule, ScheduleException, ScheduleRule, Slot, SlotStatus
from .schedules import Session, local_zone, schedules_authorize

# Slots are generated at most this far ahead, so a typo cannot create years of rows.
MAX_GENERATE_DAYS = 120


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
    schedules_authorize(actor, schedule.institution_id)
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
