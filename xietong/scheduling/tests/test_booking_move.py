"""A workflow moves its own booking knowing it, naming the new slot by its key: three
statements, and every refusal leaves both slots and the booking as they were."""

from __future__ import annotations

import uuid

import pytest

from xietong.accounts.tests.factories import make_actor
from xietong.core.errors import Conflict, ValidationFailed
from xietong.core.tests.statements import statements_counted
from xietong.scheduling.models import Booking, BookingStatus, SlotStatus
from xietong.scheduling.services import (
    BookingKnown,
    SlotTaken,
    booking_cancel,
    booking_create,
    booking_move,
)

from .factories import make_slot

pytestmark = pytest.mark.django_db

WORKFLOW = "consultation"  # a workflow that keeps its bookings to itself (registered at start)


def _workflow_booking(**slot_kwargs):
    slot = make_slot(**slot_kwargs)
    actor = make_actor()
    subject = uuid.uuid4()
    booking = booking_create(
        actor=actor, slot=slot, subject_type=WORKFLOW, subject_id=subject, workflow=WORKFLOW
    )
    known = BookingKnown(
        uuid=booking.uuid,
        subject_type=WORKFLOW,
        subject_id=subject,
        patient_id=None,
        via_referral=False,
    )
    return actor, booking, known


def _counts(*slots):
    for s in slots:
        s.refresh_from_db()
    return [(s.booked_count, s.status) for s in slots]


def test_a_move_takes_the_new_place_frees_the_old_and_reads_neither_row_first() -> None:
    actor, booking, known = _workflow_booking(capacity=1)
    old = booking.slot
    new = make_slot(old.schedule, in_hours=96, capacity=1)
    with statements_counted() as found:
        moved_to = booking_move(actor=actor, booking=known, slot_uuid=new.uuid, workflow=WORKFLOW)
    scheduling = [q for q in found.sql if '"scheduling_' in q.split(" SET ")[0]]
    assert len(scheduling) == 3, found.listing()  # take, free, move: no read first
    assert not any(q.lstrip().upper().startswith("SELECT") for q in found.sql), found.listing()
    assert moved_to.pk == new.pk and moved_to.start == new.start
    assert (moved_to.booked_count, moved_to.status) == (1, SlotStatus.BUSY)
    assert _counts(old, new) == [(0, SlotStatus.FREE), (1, SlotStatus.BUSY)]
    assert Booking.objects.get(pk=booking.pk).slot_id == new.pk


def test_a_full_slot_refuses_the_move_and_nothing_changes() -> None:
    actor, booking, known = _workflow_booking()
    old = booking.slot
    full = make_slot(old.schedule, in_hours=96, booked=1, status=SlotStatus.BUSY)
    with pytest.raises(SlotTaken):
        booking_move(actor=actor, booking=known, slot_uuid=full.uuid, workflow=WORKFLOW)
    assert _counts(old, full) == [(1, SlotStatus.BUSY), (1, SlotStatus.BUSY)]
    assert Booking.objects.get(pk=booking.pk).slot_id == old.pk


def test_an_unknown_slot_is_a_field_error() -> None:
    actor, booking, known = _workflow_booking()
    with pytest.raises(ValidationFailed) as bad:
        booking_move(actor=actor, booking=known, slot_uuid=uuid.uuid4(), workflow=WORKFLOW)
    assert "slot" in bad.value.fields
    assert _counts(booking.slot) == [(1, SlotStatus.BUSY)]


def test_the_slot_it_is_in_is_refused_and_its_count_is_left_as_it_was() -> None:
    actor, booking, known = _workflow_booking(capacity=2)
    with pytest.raises(ValidationFailed) as bad:
        booking_move(actor=actor, booking=known, slot_uuid=booking.slot.uuid, workflow=WORKFLOW)
    assert "slot" in bad.value.fields
    assert _counts(booking.slot) == [(1, SlotStatus.FREE)]


def test_a_booking_cancelled_meanwhile_is_not_moved_and_the_new_place_stays_free() -> None:
    actor, booking, known = _workflow_booking()
    booking_cancel(actor=actor, booking=booking, reason="取消", workflow=WORKFLOW)
    new = make_slot(booking.slot.schedule, in_hours=96)
    with pytest.raises(Conflict):
        booking_move(actor=actor, booking=known, slot_uuid=new.uuid, workflow=WORKFLOW)
    assert _counts(new) == [(0, SlotStatus.FREE)]
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED


def test_another_workflow_may_not_move_it() -> None:
    actor, booking, known = _workflow_booking()
    new = make_slot(booking.slot.schedule, in_hours=96)
    with pytest.raises((Conflict, ValueError)):
        booking_move(actor=actor, booking=known, slot_uuid=new.uuid, workflow="referral")
    assert _counts(new) == [(0, SlotStatus.FREE)]
