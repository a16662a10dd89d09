from __future__ import annotations

from typing import cast

import pytest
from fhir.resources.R4B.appointment import Appointment  # R4B: R4 shapes (the default is R5)
from fhir.resources.R4B.slot import Slot as FhirSlot

from xietong.accounts.tests.factories import make_actor
from xietong.directory.models import Practitioner
from xietong.directory.tests.factories import PractitionerFactory
from xietong.scheduling.fhir import appointment_resource, slot_resource
from xietong.scheduling.services import booking_cancel, booking_create

from .factories import bare_subject, make_schedule, make_slot

pytestmark = pytest.mark.django_db


def test_a_slot_is_a_valid_fhir_slot() -> None:
    slot = make_slot(make_schedule(purpose="examination", examination_type="ct"), capacity=4)
    parsed = FhirSlot.model_validate(slot_resource(slot))
    assert parsed.status == "free" and parsed.comment == "0/4"
    assert parsed.start is not None and parsed.start.isoformat()[:16] == slot.start.isoformat()[:16]


def test_a_booking_is_a_valid_fhir_appointment_and_cancelling_shows() -> None:
    schedule = make_schedule()
    schedule.practitioner = cast(
        Practitioner, PractitionerFactory(institution=schedule.institution)
    )
    schedule.save()
    slot = make_slot(schedule)
    actor = make_actor()
    subject = bare_subject(actor)
    booking = booking_create(actor=actor, slot=slot, **subject)
    assert booking.patient is not None and booking.patient.uuid == subject["subject_id"]
    parsed = Appointment.model_validate(appointment_resource(booking))
    assert parsed.status == "booked"
    assert parsed.identifier and parsed.identifier[0].value == booking.number
    assert [str(p.actor.reference).split("/")[0] for p in parsed.participant if p.actor] == [
        "Patient",
        "Practitioner",
        "Organization",
    ]
    booking = booking_cancel(actor=actor, booking=booking, reason="患者改期")
    cancelled = Appointment.model_validate(appointment_resource(booking))
    assert (
        cancelled.status == "cancelled"
        and cancelled.cancelationReason
        and cancelled.cancelationReason.text == "患者改期"
    )
