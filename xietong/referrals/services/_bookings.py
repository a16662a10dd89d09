"""The referral's place in a slot, through the scheduling services."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.core.actor import Actor
from xietong.core.errors import Message, NotFound
from xietong.scheduling.choices import BookingStatus, Purpose, SlotStatus
from xietong.scheduling.selectors import booking_by_uuid, get_slot
from xietong.scheduling.services import (
    booking_cancel,
    booking_check_in,
    booking_fulfil,
    booking_mark_no_show,
)
from xietong.scheduling.subjects import workflow_subject_register

from ..models import Kind, Referral

if TYPE_CHECKING:
    from xietong.scheduling.models import Booking, Slot

SUBJECT = "referral"
# The slots each kind of referral may book.
PURPOSES = {
    Kind.EXAMINATION: (Purpose.EXAMINATION,),
    Kind.OUTPATIENT: (Purpose.OUTPATIENT,),
    Kind.INPATIENT: (Purpose.INPATIENT, Purpose.OUTPATIENT),
}


def booking_subject_register() -> None:
    """A referral's booking is moved and cancelled through the referral only, so the
    referral's status and its place in the slot never disagree."""
    workflow_subject_register(
        SUBJECT,
        refusal=gettext_lazy(
            "This booking belongs to a referral. Change or cancel it from the referral."
        ),
    )


def slot_problems(*, slot: Slot, kind: str, institution_id: int) -> list[Message]:
    """Why this slot cannot take this referral, before anything is written."""
    if slot.institution_id != institution_id:
        return [_("The slot belongs to another institution.")]
    if slot.start <= timezone.now():
        return [_("This time has already passed. Choose a future slot.")]
    if slot.purpose not in PURPOSES.get(Kind(kind), ()):
        return [_("This slot is not for this kind of referral.")]
    if slot.status != SlotStatus.FREE:
        return [_("This slot is not available. Choose another one.")]
    return []


def booking_of(r: Referral) -> Booking | None:
    if r.booking_uuid is None:
        return None
    return booking_by_uuid(booking_uuid=r.booking_uuid)


def booking_release(*, actor: Actor, r: Referral, reason: str) -> None:
    booking = booking_of(r)
    if booking is not None and booking.status == BookingStatus.BOOKED:
        booking_cancel(
            actor=actor, booking=booking, reason=reason[:300] or r.number, workflow=SUBJECT
        )


def booking_arrive(*, actor: Actor, r: Referral) -> None:
    booking = booking_of(r)
    if booking is not None and booking.status == BookingStatus.BOOKED:
        booking_check_in(actor=actor, booking=booking, workflow=SUBJECT)


def booking_absent(*, actor: Actor, r: Referral) -> None:
    booking = booking_of(r)
    if booking is not None and booking.status == BookingStatus.BOOKED:
        booking_mark_no_show(actor=actor, booking=booking, workflow=SUBJECT)


def booking_done(*, actor: Actor, r: Referral) -> None:
    booking = booking_of(r)
    if booking is not None and booking.status == BookingStatus.ARRIVED:
        booking_fulfil(actor=actor, booking=booking, workflow=SUBJECT)


def slot_by_uuid(slot_uuid: uuid.UUID | None) -> Slot | None:
    if slot_uuid is None:
        return None
    try:
        return get_slot(slot_uuid=slot_uuid)
    except NotFound:
        return None
