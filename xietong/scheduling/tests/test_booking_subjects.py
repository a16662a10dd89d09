"""What a booking is for: a workflow's object, booked and changed by that workflow only, or
a patient of the booking institution (a bare booking). Made-up subjects book nothing."""

from __future__ import annotations

import uuid
from typing import Any, cast

import pytest
from django.test import Client

from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import make_actor
from xietong.accounts.tokens import api_token_issue
from xietong.core.actor import Actor
from xietong.core.errors import Conflict, NotPermitted, ValidationFailed
from xietong.directory.models import Institution
from xietong.patients.tests.factories import an_institution, make_patient
from xietong.scheduling.models import Booking, BookingStatus, Slot
from xietong.scheduling.services import (
    booking_cancel,
    booking_check_in,
    booking_create,
    booking_reschedule,
)
from xietong.scheduling.subjects import workflow_subject_kinds

from .factories import bare_subject, desk_of, make_slot, subject

pytestmark = pytest.mark.django_db


def _places(slot: Slot) -> int:
    return Slot.objects.get(pk=slot.pk).booked_count


def test_the_workflows_register_their_subject_types() -> None:
    assert workflow_subject_kinds() >= {"consultation", "referral"}


def test_a_workflows_booking_changes_only_through_that_workflow() -> None:
    actor = make_actor("referral_desk")
    slot, later = make_slot(), make_slot(in_hours=96)
    booking = booking_create(
        actor=actor, slot=slot, subject_type="referral", subject_id=subject(), workflow="referral"
    )
    for change in (
        lambda **kw: booking_cancel(actor=actor, booking=booking, reason="改期", **kw),
        lambda **kw: booking_reschedule(actor=actor, booking=booking, new_slot=later, **kw),
        lambda **kw: booking_check_in(actor=actor, booking=booking, **kw),
    ):
        for workflow in ("", "consultation"):
            with pytest.raises(Conflict) as refused:
                change(workflow=workflow)
            assert refused.value.code == "workflow_booking"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED and booking.slot_id == slot.pk
    assert (_places(slot), _places(later)) == (1, 0)
    # The referral workflow itself still moves and cancels it.
    booking_reschedule(actor=actor, booking=booking, new_slot=later, workflow="referral")
    booking_cancel(actor=actor, booking=booking, reason="改期", workflow="referral")
    assert (_places(slot), _places(later)) == (0, 0)


def test_a_workflow_books_only_its_own_registered_subject_type() -> None:
    actor, slot = make_actor("referral_desk"), make_slot(capacity=3)
    for subject_type, workflow in (("consultation", "referral"), ("visit", "visit")):
        with pytest.raises(ValueError):
            booking_create(
                actor=actor,
                slot=slot,
                subject_type=subject_type,
                subject_id=subject(),
                workflow=workflow,
            )
    assert _places(slot) == 0


def _refusal(actor: Actor, slot: Slot, **kwargs: Any) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as refused:
        booking_create(actor=actor, slot=slot, **kwargs)
    return refused.value


def test_a_bare_booking_needs_a_patient_of_the_bookers_institution() -> None:
    desk = make_actor("referral_desk")
    slot = make_slot(capacity=5)
    elsewhere = make_patient(an_institution())
    made_up = _refusal(desk, slot, subject_type="patient", subject_id=uuid.uuid4())
    others = _refusal(desk, slot, subject_type="patient", subject_id=elsewhere.uuid)
    # Another institution's patient and a made-up ID read the same: nothing is revealed.
    assert made_up.fields == others.fields and set(made_up.fields) == {"subject_id"}
    for kind in ("consultation", "referral", "x"):
        refused = _refusal(desk, slot, subject_type=kind, subject_id=uuid.uuid4())
        assert set(refused.fields) == {"subject_type"}
    assert _places(slot) == 0 and not Booking.objects.exists()

    own = bare_subject(desk)
    booking = booking_create(actor=desk, slot=slot, **own)
    assert booking.patient is not None and booking.patient.uuid == own["subject_id"]
    mismatch = _refusal(desk, slot, **bare_subject(desk), patient=booking.patient)
    assert set(mismatch.fields) == {"patient"}
    assert _places(slot) == 1


def test_a_role_that_may_not_book_books_no_bare_booking() -> None:
    pharmacist = make_actor("pharmacist")
    slot = make_slot()
    with pytest.raises(NotPermitted):
        booking_create(actor=pharmacist, slot=slot, **bare_subject(pharmacist))
    assert _places(slot) == 0


class Api:
    def __init__(self, institution: Institution) -> None:
        self.actor = desk_of(institution)
        membership = Membership.objects.get(pk=self.actor.membership_id or 0)
        key = api_token_issue(membership=membership)[1]
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en")

    def book(self, slot: Slot, **body: Any) -> Any:
        payload = {"slot_uuid": str(slot.uuid), **{k: str(v) for k, v in body.items()}}
        return self.client.post(
            "/api/v1/scheduling/bookings", payload, content_type="application/json"
        )


def test_the_api_books_nothing_for_made_up_or_foreign_subjects() -> None:
    county = cast(Institution, an_institution())
    desk = Api(county)
    slot = make_slot(capacity=5)
    foreign = make_patient(an_institution())
    made_up = desk.book(slot, subject_type="patient", subject_id=uuid.uuid4())
    others = desk.book(slot, subject_type="patient", subject_id=foreign.uuid)
    assert made_up.status_code == others.status_code == 422
    assert made_up.json() == others.json()
    assert made_up.json()["fields"] == {
        "subject_id": ["No patient of your institution has this ID."]
    }
    for kind in ("consultation", "referral"):
        refused = desk.book(slot, subject_type=kind, subject_id=uuid.uuid4())
        assert refused.status_code == 422
        assert f"from the {kind}" in refused.json()["fields"]["subject_type"][0]
    assert _places(slot) == 0 and not Booking.objects.exists()

    mine = make_patient(county)
    booked = desk.book(slot, subject_type="patient", subject_id=mine.uuid)
    assert booked.status_code == 201, booked.content
    assert Booking.objects.get(uuid=booked.json()["uuid"]).patient_id == mine.pk
