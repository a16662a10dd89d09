from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xietong.accounts.tests.factories import make_actor
from xietong.core.errors import NotFound
from xietong.scheduling.models import SlotStatus
from xietong.scheduling.selectors import (
    booking_by_uuid,
    get_booking_for,
    get_schedule_for,
    next_free_slots,
    slots_free,
    utilisation_for,
)
from xietong.scheduling.services import booking_create

from .factories import a_hospital, desk_of, make_schedule, make_slot, subject

pytestmark = pytest.mark.django_db


def test_free_slots_are_ordered_and_filtered() -> None:
    ct = make_schedule(purpose="examination", examination_type="ct")
    later = make_slot(ct, in_hours=50)
    sooner = make_slot(ct, in_hours=30)
    make_slot(ct, in_hours=40, status=SlotStatus.BUSY_UNAVAILABLE)
    make_slot(ct, in_hours=-2)
    reserved_only = make_slot(ct, in_hours=35, capacity=2, booked=1, reserved=1)
    mri = make_slot(make_schedule(purpose="examination", examination_type="mri"), in_hours=20)
    plain = list(slots_free(examination_type="ct"))
    assert plain == [sooner, later]
    referral = list(slots_free(examination_type="ct", via_referral=True))
    assert referral == [sooner, reserved_only, later]
    assert list(slots_free(institution=mri.institution_id)) == [mri]
    window = list(
        slots_free(
            examination_type="ct", start=timezone.now(), end=timezone.now() + dt.timedelta(hours=40)
        )
    )
    assert window == [sooner]
    assert len(list(slots_free(limit=1))) == 1


def test_inactive_schedules_offer_nothing() -> None:
    schedule = make_schedule(active=False)
    slot = make_slot(schedule)
    assert not list(slots_free(department=schedule.department))
    assert next_free_slots(like=slot) == []


def test_schedules_are_found_only_by_their_desk() -> None:
    schedule = make_schedule()
    assert get_schedule_for(actor=desk_of(schedule.institution), schedule_uuid=schedule.uuid)
    for actor in (desk_of(a_hospital()), make_actor("requester", institution=schedule.institution)):
        with pytest.raises(NotFound):
            get_schedule_for(actor=actor, schedule_uuid=schedule.uuid)
    with pytest.raises(NotFound):
        get_schedule_for(actor=desk_of(schedule.institution), schedule_uuid="not-a-uuid")


def test_bookings_are_seen_by_the_booking_and_the_owning_institutions() -> None:
    slot = make_slot()
    doctor = make_actor("requester")
    booking = booking_create(
        actor=doctor, slot=slot, subject_type="referral", subject_id=subject(), workflow="referral"
    )
    assert get_booking_for(actor=doctor, booking_uuid=booking.uuid) == booking
    assert get_booking_for(actor=desk_of(slot.institution), booking_uuid=booking.uuid) == booking
    with pytest.raises(NotFound):
        get_booking_for(actor=make_actor("requester"), booking_uuid=booking.uuid)


def test_a_workflow_finds_its_booking_with_its_slot() -> None:
    slot = make_slot()
    booking = booking_create(
        actor=make_actor("requester"),
        slot=slot,
        subject_type="referral",
        subject_id=subject(),
        workflow="referral",
    )
    found = booking_by_uuid(booking_uuid=booking.uuid)
    assert found is not None
    assert found == booking and found.slot == slot
    assert booking_by_uuid(booking_uuid=subject()) is None


def test_utilisation_sums_booked_over_capacity_per_week() -> None:
    schedule = make_schedule()
    make_slot(schedule, capacity=4, booked=1, in_hours=1)
    make_slot(schedule, capacity=4, booked=3, in_hours=2)
    rows = utilisation_for(actor=desk_of(schedule.institution))
    assert [(r.booked, r.capacity, r.percent) for r in rows] == [(4, 8, 50)]
    assert rows[0].week.startswith(str(timezone.localdate().isocalendar()[0]))
    assert utilisation_for(actor=make_actor("requester")) == []
