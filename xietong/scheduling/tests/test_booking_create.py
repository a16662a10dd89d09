from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from xietong.accounts.tests.factories import make_actor
from xietong.core.errors import ValidationFailed
from xietong.core.models import AuditEvent
from xietong.scheduling.models import Booking, BookingStatus, Slot, SlotStatus
from xietong.scheduling.services import SlotTaken, booking_create

from .factories import bare_subject, make_schedule, make_slot, referring, subject

pytestmark = pytest.mark.django_db


def _text(exc: Exception, language: str = "en") -> str:
    with translation.override(language):
        return str(getattr(exc, "message", exc))


def test_booking_takes_a_place_and_fills_the_slot() -> None:
    slot = make_slot(capacity=2)
    actor = make_actor("requester")
    first = booking_create(
        actor=actor, slot=slot, subject_type="referral", subject_id=subject(), workflow="referral"
    )
    slot.refresh_from_db()
    assert (slot.booked_count, slot.status) == (1, SlotStatus.FREE)
    assert first.status == BookingStatus.BOOKED and first.number.startswith("YY-")
    assert first.institution_id == actor.institution_id and first.booked_by_id == actor.user_id
    booking_create(
        actor=actor, slot=slot, subject_type="referral", subject_id=subject(), workflow="referral"
    )
    slot.refresh_from_db()
    assert (slot.booked_count, slot.status) == (2, SlotStatus.BUSY)
    assert AuditEvent.objects.filter(action="booking.create", resource_type="Booking").count() == 2


def test_a_full_slot_is_refused_with_the_next_free_slots() -> None:
    schedule = make_schedule()
    full = make_slot(schedule, capacity=1, booked=1, status=SlotStatus.BUSY)
    later = make_slot(schedule, in_hours=72)
    elsewhere = make_slot(in_hours=50)  # another department: not offered
    with pytest.raises(SlotTaken) as refused:
        booking_create(
            actor=make_actor(),
            slot=full,
            subject_type="referral",
            subject_id=subject(),
            workflow="referral",
        )
    assert _text(refused.value).startswith("This slot is taken.")
    assert refused.value.status == 409 and refused.value.code == "slot_taken"
    assert [s.pk for s in refused.value.alternatives] == [later.pk]
    assert elsewhere.pk not in [s.pk for s in refused.value.alternatives]
    assert not Booking.objects.exists()


def test_slot_taken_reads_in_chinese() -> None:
    full = make_slot(booked=1, status=SlotStatus.BUSY)
    with pytest.raises(SlotTaken) as refused:
        booking_create(
            actor=make_actor(),
            slot=full,
            subject_type="referral",
            subject_id=subject(),
            workflow="referral",
        )
    assert _text(refused.value, "zh-hans") == "该号源已被预约，请从下列可预约号源中另选。"


def test_a_past_slot_is_refused() -> None:
    past = make_slot(in_hours=-1)
    with pytest.raises(SlotTaken) as refused:
        booking_create(
            actor=make_actor(),
            slot=past,
            subject_type="referral",
            subject_id=subject(),
            workflow="referral",
        )
    assert "already started" in _text(refused.value)
    past.refresh_from_db()
    assert past.booked_count == 0


def test_an_unavailable_slot_is_refused() -> None:
    closed = make_slot(capacity=3, status=SlotStatus.BUSY_UNAVAILABLE)
    actor = make_actor()
    with pytest.raises(SlotTaken) as refused:
        booking_create(actor=actor, slot=closed, **bare_subject(actor))
    assert "not available" in _text(refused.value)


def test_reserved_places_are_kept_for_referrals() -> None:
    slot = make_slot(capacity=3, reserved=2)
    actor = make_actor()
    referring(actor.institution_id, slot.institution)
    booking_create(
        actor=actor,
        slot=slot,
        subject_type="consultation",
        subject_id=subject(),
        workflow="consultation",
    )
    with pytest.raises(SlotTaken):
        booking_create(
            actor=actor,
            slot=slot,
            subject_type="consultation",
            subject_id=subject(),
            workflow="consultation",
        )
    for _ in range(2):
        booking_create(
            actor=actor,
            slot=slot,
            subject_type="referral",
            subject_id=subject(),
            workflow="referral",
            via_referral=True,
        )
    with pytest.raises(SlotTaken):
        booking_create(
            actor=actor,
            slot=slot,
            subject_type="referral",
            subject_id=subject(),
            workflow="referral",
            via_referral=True,
        )
    slot.refresh_from_db()
    assert (slot.booked_count, slot.status) == (3, SlotStatus.BUSY)


def test_bad_subject_changes_nothing() -> None:
    slot = make_slot()
    with pytest.raises(ValidationFailed) as bad:
        booking_create(actor=make_actor(), slot=slot, subject_type="", subject_id="not-a-uuid")
    assert set(bad.value.fields) == {"subject_type", "subject_id"}
    slot.refresh_from_db()
    assert slot.booked_count == 0 and not Booking.objects.exists()


def test_a_stale_slot_object_cannot_overbook() -> None:
    slot = make_slot(capacity=1)
    stale = Slot.objects.get(pk=slot.pk)
    first, second = make_actor(), make_actor()
    booking_create(actor=first, slot=slot, **bare_subject(first))
    assert stale.booked_count == 0  # the caller's copy still says there is room
    with pytest.raises(SlotTaken):
        booking_create(actor=second, slot=stale, **bare_subject(second))
    assert Slot.objects.get(pk=slot.pk).booked_count == 1


def test_booking_numbers_carry_the_shanghai_date() -> None:
    actor = make_actor()
    booking = booking_create(actor=actor, slot=make_slot(), **bare_subject(actor))
    shanghai = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert booking.number[3:11] == shanghai.strftime("%Y%m%d")


def test_only_collaborating_institutions_book_as_referrals() -> None:
    slot = make_slot(capacity=2, reserved=2)
    stranger = make_actor()
    with pytest.raises(ValidationFailed) as refused:
        booking_create(
            actor=stranger,
            slot=slot,
            subject_type="referral",
            subject_id=subject(),
            via_referral=True,
            workflow="referral",
        )
    with translation.override("en"):
        assert "collaboration link" in str(refused.value.fields["via_referral"][0])
    own_desk = make_actor("referral_desk", institution=slot.institution)
    booking_create(
        actor=own_desk,
        slot=slot,
        subject_type="referral",
        subject_id=subject(),
        workflow="referral",
        via_referral=True,
    )
    slot.refresh_from_db()
    assert slot.booked_count == 1
