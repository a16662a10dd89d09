"""Reads: free slots (open to every signed-in caller: capacity is no patient data),
schedules of the actor's institution, bookings the actor may see, utilisation."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from xietong.core.actor import Actor
from xietong.core.errors import NotFound

from .access import can_manage_schedules, visible_bookings_q
from .models import Booking, Schedule, Slot, SlotStatus
from .services.schedules import local_zone

SEARCH_DAYS = 14


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """A time given without an offset is read on the user's clock (Asia/Shanghai)."""
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


def slots_free(
    *,
    institution: Any = None,
    department: Any = None,
    practitioner: Any = None,
    examination_type: str | None = None,
    purpose: str | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    via_referral: bool = False,
    limit: int | None = 50,
    exclude: Slot | None = None,
) -> QuerySet[Slot]:
    """Slots with a place this kind of booking may take, by time. Without `start` from now;
    without `end` the next two weeks. Objects or ids are accepted for the filters."""
    now = timezone.now()
    start = max(_aware(start) or now, now)
    end = _aware(end)
    try:
        # In UTC: PostgreSQL refuses a UTC offset past 15:59, which Python accepts; and
        # a time at the calendar's edge overflows, where no slot lies anyway.
        end = (end or start + dt.timedelta(days=SEARCH_DAYS)).astimezone(dt.UTC)
        start = start.astimezone(dt.UTC)
    except OverflowError:
        return Slot.objects.none()
    limit_expr = F("capacity") if via_referral else F("capacity") - F("referral_reserved")
    qs = Slot.objects.filter(
        status=SlotStatus.FREE,
        start__gt=start,
        start__lt=end,
        booked_count__lt=limit_expr,
        schedule__active=True,
    )
    for name, value in (
        ("institution", institution),
        ("department", department),
        ("practitioner", practitioner),
    ):
        if value is not None:
            qs = qs.filter(**{f"{name}_id": getattr(value, "pk", value)})
    if examination_type:
        qs = qs.filter(examination_type=examination_type)
    if purpose:
        qs = qs.filter(purpose=purpose)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    qs = qs.select_related("institution", "department", "practitioner").order_by("start", "id")
    return qs[:limit] if limit else qs


def next_free_slots(*, like: Slot, via_referral: bool = False, limit: int = 5) -> list[Slot]:
    """The next free slots of the same kind as `like` (same institution, department,
    practitioner, examination and purpose): what to offer when `like` is taken."""
    return list(
        slots_free(
            institution=like.institution_id,
            department=like.department_id,
            practitioner=like.practitioner_id,
            examination_type=like.examination_type,
            purpose=like.purpose,
            start=max(like.start, timezone.now()) - dt.timedelta(hours=12),
            end=like.start + dt.timedelta(days=60),
            via_referral=via_referral,
            limit=limit,
            exclude=like,
        )
    )


def schedules_for(*, actor: Actor) -> QuerySet[Schedule]:
    """The schedules an actor manages: those of their institution, for its desk and admins."""
    if not can_manage_schedules(actor):
        return Schedule.objects.none()
    return Schedule.objects.filter(institution_id=actor.institution_id or 0).select_related(
        "department", "practitioner"
    )


def _uuid(value: uuid.UUID | str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound() from exc


def get_schedule_for(*, actor: Actor, schedule_uuid: uuid.UUID | str) -> Schedule:
    """A schedule the actor manages; NotFound for missing and forbidden alike."""
    try:
        return schedules_for(actor=actor).get(uuid=_uuid(schedule_uuid))
    except Schedule.DoesNotExist as exc:
        raise NotFound() from exc


def schedule_slots(*, schedule: Schedule, days: int = 21) -> QuerySet[Slot]:
    now = timezone.now()
    return schedule.slots.filter(start__gt=now, start__lt=now + dt.timedelta(days=days))


def get_slot(*, slot_uuid: uuid.UUID | str) -> Slot:
    """Any slot by its UUID: slots are offered to every institution that may book them."""
    try:
        return Slot.objects.select_related("schedule").get(uuid=_uuid(slot_uuid))
    except Slot.DoesNotExist as exc:
        raise NotFound() from exc


def bookings_for(*, actor: Actor) -> QuerySet[Booking]:
    return Booking.objects.filter(visible_bookings_q(actor)).select_related("slot")


def get_booking_for(*, actor: Actor, booking_uuid: uuid.UUID | str) -> Booking:
    try:
        return bookings_for(actor=actor).get(uuid=_uuid(booking_uuid))
    except Booking.DoesNotExist as exc:
        raise NotFound() from exc


def bookings_of(*, subject_type: str, subject_id: uuid.UUID) -> QuerySet[Booking]:
    """For the workflow apps: the bookings of one of their objects."""
    return Booking.objects.filter(subject_type=subject_type, subject_id=subject_id)


def booking_by_uuid(*, booking_uuid: uuid.UUID) -> Booking | None:
    """For the workflow apps: the booking one of their objects holds, with its slot (the
    workflow has checked its own access; a booking gone from the table is None)."""
    return Booking.objects.select_related("slot").filter(uuid=booking_uuid).first()


@dataclass(frozen=True)
class Utilisation:
    department: str
    week: str  # ISO week, e.g. 2026-W48
    booked: int
    capacity: int

    @property
    def percent(self) -> int:
        return round(100 * self.booked / self.capacity) if self.capacity else 0


def utilisation_for(
    *, actor: Actor, start: dt.date | None = None, weeks: int = 4
) -> list[Utilisation]:
    """Booked places over capacity per department and ISO week (Shanghai time) for the
    actor's institution; weeks counted from `start` (default the current week)."""
    if not can_manage_schedules(actor):
        return []
    zone = local_zone()
    first = start or timezone.localdate()
    first -= dt.timedelta(days=first.weekday())
    begin = dt.datetime.combine(first, dt.time(), tzinfo=zone)
    rows = (
        Slot.objects.filter(
            institution_id=actor.institution_id or 0,
            start__gte=begin,
            start__lt=begin + dt.timedelta(weeks=weeks),
        )
        .exclude(status=SlotStatus.ENTERED_IN_ERROR)
        .annotate(week=TruncWeek("start", tzinfo=zone))
        .values("week", "department__name", "department__name_en", "examination_type")
        .annotate(booked=Sum("booked_count"), capacity=Sum("capacity"))
        .order_by("week", "department__name", "examination_type")
    )
    from django.utils.translation import get_language

    from .models import ExaminationType

    english = (get_language() or "").startswith("en")
    result = []
    for row in rows:
        week = row["week"]
        year, number, _ = (week.date() if isinstance(week, dt.datetime) else week).isocalendar()
        label = (row["department__name_en"] if english else row["department__name"]) or ""
        if row["examination_type"]:
            exam = str(ExaminationType(row["examination_type"]).label)
            label = f"{label} · {exam}" if label else exam
        result.append(
            Utilisation(
                label or "—", f"{year}-W{number:02d}", row["booked"] or 0, row["capacity"] or 0
            )
        )
    return result
