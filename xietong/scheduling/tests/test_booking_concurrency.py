"""Racing bookers on PostgreSQL, where writers really run at once (SQLite serialises them)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.conf import settings
from django.db import close_old_connections, connection

from xietong.accounts.tests.factories import make_actor
from xietong.scheduling.models import Booking, BookingStatus, Slot
from xietong.scheduling.services import SlotTaken, booking_create, booking_reschedule

from .factories import a_hospital, make_schedule, make_slot, referring, subject

postgres_only = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL: SQLite serialises writers, so bookings cannot race",
)


def _race(targets: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    start = threading.Barrier(len(targets))
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(target: Callable[[], Any]) -> None:
        try:
            start.wait(20)
            results.append(target())
        except BaseException as exc:  # collected for the test to judge
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results, errors


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_fifty_bookers_for_ten_places_get_ten_bookings_and_forty_refusals() -> None:
    slot = make_slot(capacity=30, booked=20, reserved=10)
    county = a_hospital(level="county")
    referring(county, slot.institution)
    actors = [make_actor("requester", institution=county) for _ in range(50)]

    def book(actor: Any) -> Callable[[], Any]:
        return lambda: booking_create(
            actor=actor,
            slot=slot,
            subject_type="referral",
            subject_id=subject(),
            workflow="referral",
            via_referral=True,
        )

    results, errors = _race([book(a) for a in actors])
    assert len(results) == 10
    assert len(errors) == 40
    assert all(isinstance(e, SlotTaken) for e in errors), errors[:3]
    assert {e.code for e in errors if isinstance(e, SlotTaken)} == {"slot_taken"}
    slot.refresh_from_db()
    assert slot.booked_count == 30 == slot.capacity
    assert Booking.objects.filter(slot=slot, status=BookingStatus.BOOKED).count() == 10


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_rescheduling_racing_a_booking_for_the_last_place_leaves_one_winner() -> None:
    schedule = make_schedule()
    for _round in range(5):
        old = make_slot(schedule, in_hours=24 + _round)
        last = make_slot(schedule, in_hours=200 + _round, capacity=2, booked=1)
        mover = booking_create(
            actor=make_actor(),
            slot=old,
            subject_type="referral",
            subject_id=subject(),
            workflow="referral",
        )
        desk, doctor = make_actor("referral_desk"), make_actor()
        results, errors = _race(
            [
                partial(
                    booking_reschedule,
                    actor=desk,
                    booking=mover,
                    new_slot=last,
                    workflow="referral",
                ),
                partial(
                    booking_create,
                    actor=doctor,
                    slot=last,
                    subject_type="consultation",
                    subject_id=subject(),
                    workflow="consultation",
                ),
            ]
        )
        assert len(results) == 1 and len(errors) == 1
        assert isinstance(errors[0], SlotTaken)
        last.refresh_from_db()
        old.refresh_from_db()
        mover.refresh_from_db()
        assert last.booked_count == 2
        if mover.slot_id == last.pk:  # the move won: the old place is free again
            assert old.booked_count == 0
        else:  # the move lost: the booking stays where it was, its place still held
            assert old.booked_count == 1 and mover.status == BookingStatus.BOOKED
        assert Slot.objects.filter(pk__in=[old.pk, last.pk]).count() == 2
