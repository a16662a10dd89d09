from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xietong.accounts.tests.factories import make_actor
from xietong.core.errors import ValidationFailed
from xietong.scheduling.models import Slot, SlotStatus
from xietong.scheduling.services import (
    booking_cancel,
    booking_create,
    schedule_exception_add,
    schedule_rules_set,
    slots_generate,
)
from xietong.scheduling.services.schedules import local_zone

from .factories import bare_subject, desk_of, make_schedule, subject

pytestmark = pytest.mark.django_db


def _next(weekday: int) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=1)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return day


def _setup(capacity: int = 3):
    schedule = make_schedule()
    desk = desk_of(schedule.institution)
    schedule_rules_set(
        actor=desk,
        schedule=schedule,
        rules=[
            {
                "weekday": 1,
                "start_time": "08:00",
                "end_time": "10:00",
                "slot_minutes": 30,
                "capacity": capacity,
                "referral_reserved": 1,
            },
        ],
    )
    return schedule, desk


def test_slots_follow_the_weekly_rule_in_shanghai_time() -> None:
    schedule, desk = _setup()
    tuesday = _next(1)
    result = slots_generate(
        actor=desk, schedule=schedule, start_date=tuesday, end_date=tuesday + dt.timedelta(days=6)
    )
    assert result.created == 4
    slots = list(Slot.objects.filter(schedule=schedule))
    local = [s.start.astimezone(local_zone()) for s in slots]
    assert [t.strftime("%H:%M") for t in local] == ["08:00", "08:30", "09:00", "09:30"]
    assert {t.date() for t in local} == {tuesday}
    assert slots[0].start.utcoffset() == dt.timedelta(0)  # stored as UTC
    assert slots[0].start.hour == 0  # 08:00 in Shanghai
    assert {(s.capacity, s.referral_reserved, s.status) for s in slots} == {(3, 1, "free")}
    assert {s.department_id for s in slots} == {schedule.department_id}


def test_generating_again_never_duplicates() -> None:
    schedule, desk = _setup()
    start, end = timezone.localdate(), timezone.localdate() + dt.timedelta(days=20)
    first = slots_generate(actor=desk, schedule=schedule, start_date=start, end_date=end)
    again = slots_generate(actor=desk, schedule=schedule, start_date=start, end_date=end)
    assert first.created > 0 and (again.created, again.updated, again.removed) == (0, 0, 0)
    assert Slot.objects.count() == first.created


def test_a_closed_day_gets_no_slots_and_other_hours_replace_the_rule() -> None:
    schedule, desk = _setup()
    tuesday = _next(1)
    following = tuesday + dt.timedelta(days=7)
    schedule_exception_add(actor=desk, schedule=schedule, date=tuesday, kind="closed")
    schedule_exception_add(
        actor=desk,
        schedule=schedule,
        date=following,
        kind="hours",
        start_time="14:00",
        end_time="15:00",
        slot_minutes=60,
        capacity=5,
    )
    schedule_exception_add(
        actor=desk,
        schedule=schedule,
        date=tuesday + dt.timedelta(days=2),
        kind="extra",
        start_time="18:00",
        end_time="19:00",
        slot_minutes=30,
        capacity=1,
    )
    slots_generate(actor=desk, schedule=schedule, start_date=tuesday, end_date=following)
    local = [(s.start.astimezone(local_zone()), s.capacity) for s in Slot.objects.all()]
    assert [(t.date(), t.strftime("%H:%M"), c) for t, c in local] == [
        (tuesday + dt.timedelta(days=2), "18:00", 1),
        (tuesday + dt.timedelta(days=2), "18:30", 1),
        (following, "14:00", 5),
    ]


def test_changed_rules_regenerate_only_unbooked_slots() -> None:
    schedule, desk = _setup(capacity=3)
    tuesday = _next(1)
    slots_generate(actor=desk, schedule=schedule, start_date=tuesday, end_date=tuesday)
    first = Slot.objects.order_by("start").first()
    assert first is not None
    booking_create(
        actor=make_actor(),
        slot=first,
        subject_type="referral",
        subject_id=subject(),
        workflow="referral",
    )
    cancelled_slot = Slot.objects.order_by("start")[1]
    booker = make_actor()
    cancelled = booking_create(actor=booker, slot=cancelled_slot, **bare_subject(booker))
    booking_cancel(actor=desk, booking=cancelled, reason="改期")
    schedule_rules_set(
        actor=desk,
        schedule=schedule,
        rules=[
            {
                "weekday": 1,
                "start_time": "09:00",
                "end_time": "10:00",
                "slot_minutes": 30,
                "capacity": 6,
            },
        ],
    )
    result = slots_generate(actor=desk, schedule=schedule, start_date=tuesday, end_date=tuesday)
    rows = {s.start.astimezone(local_zone()).strftime("%H:%M"): s for s in Slot.objects.all()}
    # 08:00 keeps its booking, can take no more; 08:30 had only a cancelled booking.
    assert rows["08:00"].booked_count == 1 and rows["08:00"].capacity == 3
    assert rows["08:00"].status == SlotStatus.BUSY_UNAVAILABLE
    assert rows["08:30"].status == SlotStatus.BUSY_UNAVAILABLE
    assert (rows["09:00"].capacity, rows["09:30"].capacity) == (6, 6)
    assert (result.kept_booked, result.updated, result.removed) == (1, 2, 1)


def test_the_range_is_checked() -> None:
    schedule, desk = _setup()
    today = timezone.localdate()
    with pytest.raises(ValidationFailed):
        slots_generate(
            actor=desk, schedule=schedule, start_date=today, end_date=today - dt.timedelta(days=1)
        )
    with pytest.raises(ValidationFailed):
        slots_generate(
            actor=desk, schedule=schedule, start_date=today, end_date=today + dt.timedelta(days=400)
        )
    assert not Slot.objects.exists()
