"""Who may cancel or move a booking through /api/v1/scheduling, cell by cell.

Three bookings: a consultation's (the centre's coordinator booked the expert's slot at a
provincial hospital), a referral's (the county doctor booked the hospital's clinic) and a
bare one (a county desk booked a patient of its own into the hospital's clinic). A stranger
meets 404 for all three. The consultation's and the referral's bookings change only through
their workflows: the slot's desk and the booking institution are refused with 409 and told
where to go, and the workflow, the booking and the slot stay as they were. A bare booking is
cancelled or moved by whoever sees it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from xietong.accounts.models import Membership
from xietong.accounts.tokens import api_token_issue
from xietong.consultations.tests import world as consultations
from xietong.core.actor import Actor
from xietong.patients.tests.factories import an_institution
from xietong.referrals.tests import world as referrals
from xietong.scheduling.models import Booking, BookingStatus, Slot
from xietong.scheduling.services import booking_create

from .factories import bare_subject, desk_of, make_schedule, make_slot

pytestmark = pytest.mark.django_db

KINDS = ("consultation", "referral", "bare")
WHO = ("slot_desk", "booker", "stranger")
# What each party meets, per booking kind: the same for cancelling and for moving.
EXPECTED: dict[tuple[str, str], int] = {
    ("consultation", "slot_desk"): 409,
    ("consultation", "booker"): 409,
    ("consultation", "stranger"): 404,
    ("referral", "slot_desk"): 409,
    ("referral", "booker"): 409,
    ("referral", "stranger"): 404,
    ("bare", "slot_desk"): 200,
    ("bare", "booker"): 200,
    ("bare", "stranger"): 404,
}
TOLD = {
    "consultation": "from the consultation",
    "referral": "from the referral",
}


@dataclass
class Booked:
    booking: Booking
    parties: dict[str, Actor]
    free_slot: Slot
    # The workflow's own status, which must not move when its booking is refused a change.
    status: Any = None

    def workflow_status(self) -> str | None:
        if self.status is None:
            return None
        self.status.refresh_from_db()
        return str(self.status.status)


def _consultation() -> Booked:
    world = consultations.make_world()
    c = world.to("scheduled")
    booking = Booking.objects.get(subject_type="consultation", subject_id=c.uuid)
    return Booked(
        booking,
        {
            "slot_desk": desk_of(booking.slot.institution),
            "booker": world.coordinator,
            "stranger": desk_of(an_institution()),
        },
        consultations.expert_slot(world.expert, in_hours=96),
        c,
    )


def _referral() -> Booked:
    world = referrals.make_world()
    r = world.to("accepted")
    booking = Booking.objects.get(subject_type="referral", subject_id=r.uuid)
    return Booked(
        booking,
        {"slot_desk": world.desk, "booker": world.sender, "stranger": desk_of(an_institution())},
        world.slot(capacity=3),
        r,
    )


def _bare() -> Booked:
    schedule = make_schedule()
    county_desk = desk_of(an_institution())
    booking = booking_create(
        actor=county_desk, slot=make_slot(schedule), **bare_subject(county_desk)
    )
    return Booked(
        booking,
        {
            "slot_desk": desk_of(schedule.institution),
            "booker": county_desk,
            "stranger": desk_of(an_institution()),
        },
        make_slot(schedule, in_hours=96),
    )


BUILD = {"consultation": _consultation, "referral": _referral, "bare": _bare}


def _api(actor: Actor) -> Client:
    membership = Membership.objects.get(pk=actor.membership_id or 0)
    key = api_token_issue(membership=membership)[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en")


def _post(actor: Actor, path: str, body: dict[str, Any]) -> Any:
    url = f"/api/v1/scheduling/bookings/{path}"
    return _api(actor).post(url, body, content_type="application/json")


CELLS = [(kind, who) for kind in KINDS for who in WHO]


@pytest.mark.parametrize(("kind", "who"), CELLS)
def test_cancel(kind: str, who: str) -> None:
    booked = BUILD[kind]()
    status = booked.workflow_status()
    places = Slot.objects.get(pk=booked.booking.slot_id).booked_count
    response = _post(booked.parties[who], f"{booked.booking.uuid}/cancel", {"reason": "改期"})
    assert response.status_code == EXPECTED[kind, who], response.content
    booking = Booking.objects.get(pk=booked.booking.pk)
    if response.status_code == 200:
        assert booking.status == BookingStatus.CANCELLED
        return
    assert booking.status == BookingStatus.BOOKED
    assert booked.workflow_status() == status
    assert Slot.objects.get(pk=booking.slot_id).booked_count == places
    if response.status_code == 409:
        body = response.json()
        assert body["code"] == "workflow_booking" and TOLD[kind] in body["message"]


@pytest.mark.parametrize(("kind", "who"), CELLS)
def test_reschedule(kind: str, who: str) -> None:
    booked = BUILD[kind]()
    status = booked.workflow_status()
    target = booked.free_slot
    response = _post(
        booked.parties[who], f"{booked.booking.uuid}/reschedule", {"slot_uuid": str(target.uuid)}
    )
    assert response.status_code == EXPECTED[kind, who], response.content
    booking = Booking.objects.get(pk=booked.booking.pk)
    target.refresh_from_db()
    if response.status_code == 200:
        assert booking.slot_id == target.pk and target.booked_count == 1
        return
    assert booking.slot_id == booked.booking.slot_id and booking.status == BookingStatus.BOOKED
    assert target.booked_count == 0
    assert booked.workflow_status() == status
    if response.status_code == 409:
        assert response.json()["code"] == "workflow_booking"


def test_the_refusal_is_worded_in_the_callers_language() -> None:
    booked = _referral()
    client = _api(booked.parties["slot_desk"])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    response = client.post(
        f"/api/v1/scheduling/bookings/{booked.booking.uuid}/cancel",
        {"reason": "改期"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["message"] == "此预约属于一项转诊，请在该转诊中改期或取消。"


def test_matrix_covers_every_kind_and_party() -> None:
    assert set(EXPECTED) == set(CELLS)
    # A workflow's booking is refused to everyone who sees it; only a bare one changes here.
    assert {k for (k, _who), code in EXPECTED.items() if code == 200} == {"bare"}
