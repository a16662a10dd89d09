"""A consultation's booking in the scheduling app, which sits below consultations: its
services are called directly (a renamed function fails at import and in mypy, never
silently), always naming this workflow, whose bookings only it may move or cancel."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

from xietong.core.actor import Actor
from xietong.scheduling.selectors import bookings_of
from xietong.scheduling.services import BookingKnown, booking_cancel, booking_create, booking_move
from xietong.scheduling.subjects import workflow_subject_register

if TYPE_CHECKING:
    from xietong.patients.models import Patient
    from xietong.scheduling.models import Booking, Slot

    from .models import Consultation

# The subject type of a consultation's bookings: scheduling leaves them to this workflow.
BOOKING_SUBJECT = "consultation"


def booking_subject_register() -> None:
    """A consultation's booking is moved and cancelled through the consultation only, so a
    consultation never says "scheduled" for a place that was given away."""
    workflow_subject_register(
        BOOKING_SUBJECT,
        refusal=gettext_lazy(
            "This booking belongs to a consultation. Reschedule or cancel it from the consultation."
        ),
    )


def consultation_booking_create(
    *, actor: Actor, slot: Slot, consultation_uuid: uuid.UUID, patient: Patient
) -> Booking:
    return booking_create(
        actor=actor,
        slot=slot,
        subject_type=BOOKING_SUBJECT,
        subject_id=str(consultation_uuid),
        patient=patient,
        workflow=BOOKING_SUBJECT,
    )


def _booking(consultation_uuid: uuid.UUID, booking_uuid: uuid.UUID) -> Booking | None:
    return (
        bookings_of(subject_type=BOOKING_SUBJECT, subject_id=consultation_uuid)
        .filter(uuid=booking_uuid)
        .first()
    )


def consultation_booking_cancel(
    *, actor: Actor, consultation_uuid: uuid.UUID, booking_uuid: uuid.UUID, reason: str
) -> None:
    booking = _booking(consultation_uuid, booking_uuid)
    if booking is not None:
        booking_cancel(actor=actor, booking=booking, reason=reason[:300], workflow=BOOKING_SUBJECT)


def consultation_booking_move(
    *, actor: Actor, consultation: Consultation, booking_uuid: uuid.UUID, slot_uuid: uuid.UUID
) -> Slot:
    """Moves the consultation's booking to the slot with this key, reading neither first
    (scheduling's booking_move); returns the slot as it now is."""
    known = BookingKnown(
        uuid=booking_uuid,
        subject_type=BOOKING_SUBJECT,
        subject_id=consultation.uuid,
        patient_id=consultation.patient_id,
        via_referral=False,  # a consultation books an expert's ordinary places
    )
    return booking_move(actor=actor, booking=known, slot_uuid=slot_uuid, workflow=BOOKING_SUBJECT)
