"""Statement budgets of a booking (docs/architecture.md, "Statement budgets"): a booking is
the hot path of the referral benchmark, so the next regression shows here first."""

from __future__ import annotations

import pytest

from xietong.accounts.tests.factories import make_actor
from xietong.core.actor import Actor
from xietong.core.tests.statements import statements_at_most
from xietong.scheduling.models import Booking, Slot, SlotStatus
from xietong.scheduling.services import SlotTaken, booking_create

from .factories import make_schedule, make_slot, referring, subject

pytestmark = pytest.mark.django_db


def _book(actor: Actor, slot: Slot, *, via_referral: bool = True) -> Booking:
    return booking_create(
        actor=actor,
        slot=slot,
        subject_type="referral",
        subject_id=subject(),
        via_referral=via_referral,
        workflow="referral",
    )


def test_a_referral_booking_from_a_linked_institution_takes_four_statements() -> None:
    """The place (with the link checked in the same UPDATE), the booking, and the audit
    record: its chain head and the event."""
    slot = make_slot(capacity=3, reserved=1)
    actor = make_actor("requester")
    referring(actor.institution_id, slot.institution_id)
    _book(actor, slot)  # the first audit record of a fresh database starts its chain
    with statements_at_most(4):
        booking = _book(actor, slot)
    assert booking.via_referral


def test_a_refused_booking_reads_the_slot_once_and_looks_for_no_alternative() -> None:
    schedule = make_schedule()
    full = make_slot(schedule, capacity=1, booked=1, status=SlotStatus.BUSY)
    later = make_slot(schedule, in_hours=72)
    actor = make_actor("requester")
    referring(actor.institution_id, full.institution_id)
    with statements_at_most(2), pytest.raises(SlotTaken) as refused:
        _book(actor, full)
    # The alternatives are looked up when read, and then they are there.
    with statements_at_most(1):
        assert [s.pk for s in refused.value.alternatives] == [later.pk]
