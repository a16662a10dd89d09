from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from xietong.accounts.tests.factories import make_actor
from xietong.core.errors import Conflict, ValidationFailed
from xietong.core.models import AuditEvent
from xietong.scheduling.models import BookingStatus, Slot, SlotStatus
from xietong.scheduling.services import (
    SlotTaken,
    booking_cancel,
    booking_check_in,
    booking_create,
    booking_fulfil,
    booking_mark_no_show,
    booking_reschedule,
)

from .factories import bare_subject, make_schedule, make_slot

pytestmark = pytest.mark.django_db


def _booked(**slot_kwargs):
    slot = make_slot(**slot_kwargs)
    actor = make_actor()
    return actor, booking_create(actor=actor, slot=slot, **bare_subject(actor))


def test_cancelling_frees_the_place_and_records_the_reason() -> None:
    actor, booking = _booked(capacity=1)
    assert booking.slot.status == SlotStatus.FREE  # the caller's copy; the row is busy
    booking = booking_cancel(actor=actor, booking=booking, reason="患者要求改期")
    assert booking.status == BookingStatus.CANCELLED and booking.reason == "患者要求改期"
    booking.slot.refresh_from_db()
    assert (booking.slot.booked_count, booking.slot.status) == (0, SlotStatus.FREE)
    assert AuditEvent.objects.filter(resource_type="Booking", action="booking.update").exists()


def test_cancelling_twice_frees_the_place_once() -> None:
    actor, booking = _booked(capacity=2)
    booking_create(actor=actor, slot=booking.slot, **bare_subject(actor))
    booking_cancel(actor=actor, booking=booking, reason="改期")
    # The refusal is worded when it is raised, in the language active then.
    with translation.override("en"), pytest.raises(Conflict) as again:
        booking_cancel(actor=actor, booking=booking, reason="改期")
    assert "cancelled" in str(again.value.message)
    booking.slot.refresh_from_db()
    assert booking.slot.booked_count == 1


def test_cancelling_needs_a_reason() -> None:
    actor, booking = _booked()
    with pytest.raises(ValidationFailed) as bad:
        booking_cancel(actor=actor, booking=booking, reason="  ")
    assert "reason" in bad.value.fields
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_rescheduling_moves_the_place() -> None:
    actor, booking = _booked()
    old = booking.slot
    new = make_slot(old.schedule, in_hours=96)
    moved = booking_reschedule(actor=actor, booking=booking, new_slot=new)
    assert moved.slot_id == new.pk
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.booked_count, old.status) == (0, SlotStatus.FREE)
    assert (new.booked_count, new.status) == (1, SlotStatus.BUSY)


def test_rescheduling_to_a_full_slot_keeps_the_old_place() -> None:
    actor, booking = _booked()
    full = make_slot(booking.slot.schedule, in_hours=96, booked=1, status=SlotStatus.BUSY)
    free = make_slot(booking.slot.schedule, in_hours=120)
    with pytest.raises(SlotTaken) as refused:
        booking_reschedule(actor=actor, booking=booking, new_slot=full)
    assert [s.pk for s in refused.value.alternatives] == [free.pk]
    booking.refresh_from_db()
    booking.slot.refresh_from_db()
    assert booking.slot.booked_count == 1 and booking.status == BookingStatus.BOOKED


def test_a_cancelled_booking_cannot_be_moved_and_the_new_place_stays_free() -> None:
    actor, booking = _booked()
    booking_cancel(actor=actor, booking=booking, reason="取消")
    new = make_slot(booking.slot.schedule, in_hours=96)
    with pytest.raises(Conflict):
        booking_reschedule(actor=actor, booking=booking, new_slot=new)
    new.refresh_from_db()
    assert new.booked_count == 0


def test_arrival_then_fulfilment() -> None:
    actor, booking = _booked()
    assert booking_check_in(actor=actor, booking=booking).status == BookingStatus.ARRIVED
    with pytest.raises(Conflict):
        booking_cancel(actor=actor, booking=booking, reason="太晚了")
    assert booking_fulfil(actor=actor, booking=booking).status == BookingStatus.FULFILLED
    booking.slot.refresh_from_db()
    assert booking.slot.booked_count == 1


def test_fulfilling_before_arrival_is_refused() -> None:
    actor, booking = _booked()
    with pytest.raises(Conflict):
        booking_fulfil(actor=actor, booking=booking)


def test_no_show_keeps_the_place_consumed() -> None:
    schedule = make_schedule()
    actor = make_actor()
    slot = make_slot(schedule, capacity=2)
    booking = booking_create(actor=actor, slot=slot, **bare_subject(actor))
    with pytest.raises(Conflict):
        booking_mark_no_show(actor=actor, booking=booking)  # the slot has not begun
    Slot.objects.filter(pk=slot.pk).update(start=slot.start - dt.timedelta(days=3))
    booking.refresh_from_db()
    assert booking_mark_no_show(actor=actor, booking=booking).status == BookingStatus.NOSHOW
    slot.refresh_from_db()
    assert slot.booked_count == 1
