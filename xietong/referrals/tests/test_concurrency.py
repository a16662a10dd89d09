"""Fifty doctors racing for the last ten places of a slot through the referral service get
exactly ten referrals; the others a "slot taken" with nothing kept (PostgreSQL only: SQLite
serialises writers)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections, connection

from xietong.referrals.models import Referral
from xietong.scheduling.models import Booking, BookingStatus
from xietong.scheduling.services import SlotTaken

from .world import World, make_world, member

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises writers, so bookings cannot race",
)
pytestmark = [pytest.mark.postgres, postgres_only, pytest.mark.django_db(transaction=True)]


def _race(targets: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    start = threading.Barrier(len(targets))
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(target: Callable[[], Any]) -> None:
        try:
            start.wait(30)
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
        t.join(120)
    return results, errors


def test_fifty_referrers_for_ten_places_get_exactly_ten(world_tx: World) -> None:
    world = world_tx
    slot = world.slot(capacity=30, booked=20, reserved=10)
    doctors = [member(world.county, "requester") for _ in range(50)]

    def refer(actor: Any) -> Callable[[], Any]:
        from xietong.referrals.services import referral_create

        from .world import REQUEST

        return lambda: referral_create(
            actor=actor,
            patient=world.patient,
            kind="outpatient",
            receiving_institution=world.hospital,
            slot=slot,
            reason=REQUEST["reason"],
            clinical_summary=REQUEST["clinical_summary"],
            diagnosis_code=REQUEST["diagnosis_code"],
            diagnosis_text=REQUEST["diagnosis_text"],
        )

    results, errors = _race([refer(d) for d in doctors])
    assert len(results) == 10, errors[:3]
    assert len(errors) == 40
    assert all(isinstance(e, SlotTaken) for e in errors), errors[:3]
    slot.refresh_from_db()
    assert slot.booked_count == 30 == slot.capacity
    assert Booking.objects.filter(slot=slot, status=BookingStatus.BOOKED).count() == 10
    assert Referral.objects.count() == 10
    assert len(set(Referral.objects.values_list("number", flat=True))) == 10


def test_two_desks_answering_at_once_leave_one_answer(world_tx: World) -> None:
    from xietong.core.errors import Conflict
    from xietong.referrals.services import referral_accept, referral_decline

    world = world_tx
    r = world.request()
    other_desk = member(world.hospital, "referral_desk")
    results, errors = _race(
        [
            lambda: referral_accept(actor=world.desk, referral=r),
            lambda: referral_decline(actor=other_desk, referral=r, reason="满"),
        ]
    )
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], Conflict)
    r.refresh_from_db()
    assert r.status in ("accepted", "declined")


@pytest.fixture
def world_tx(transactional_db: None) -> World:
    return make_world()
