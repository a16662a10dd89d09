"""Moving a booking to another slot. The new place is taken first, by the same conditional
UPDATE that books (bookings.py), and the old one freed only then, all in one transaction:
if the new slot is taken nothing changes.

A workflow moves its own booking knowing it already (its key, subject, patient and kind of
place are on the consultation or referral), and names the new slot by its key: the move
reads neither row first. The UPDATE that takes the place answers the new slot's row; the
old place is freed through the booking's own row; the booking moves only if it is still
that workflow's, booked, and elsewhere. A refusal at any point raises inside the caller's
transaction, which undoes what was done."""

from __future__ import annotations

import uuid as uuid_module
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.models import Case, F, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.errors import Conflict, ValidationFailed

from ..models import Booking, BookingStatus, Slot, SlotStatus
from .bookings import _refusal, _take_place, _take_place_sql, booking_change_record
from .ownership import workflow_only, workflow_owns

UNKNOWN_SLOT = _("Unknown time slot.")
SAME_SLOT = _("Choose a different slot.")
MOVED_MEANWHILE = _("The booking changed meanwhile; it can no longer be moved.")


@dataclass(frozen=True)
class BookingKnown:
    """A booking as the workflow that made it knows it, without reading it."""

    uuid: uuid_module.UUID
    subject_type: str
    subject_id: uuid_module.UUID
    patient_id: int | None
    via_referral: bool


def _take_place_by_uuid(slot_uuid: uuid_module.UUID, *, via_referral: bool) -> Slot | None:
    """Takes a place in the slot with this key, answering its row as the update left it
    (None: no such slot, or no place in it)."""
    connection = connections[Slot.objects.db]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    key = Slot._meta.get_field("uuid").get_db_prep_value(slot_uuid, connection)
    sql = _take_place_sql(connection.vendor, via_referral=via_referral, linked=False, by_uuid=True)
    params = [SlotStatus.BUSY.value, SlotStatus.FREE.value, now, key, SlotStatus.FREE.value, now]
    # A raw query set turns the answered columns into a Slot as a read would.
    rows = list(Slot.objects.raw(sql, params))
    return rows[0] if rows else None


def _old_place_free(booking: BookingKnown, *, new_slot_id: int) -> int:
    """Frees the place the booking holds now, found through the booking's row: only while
    the booking is still this one, booked, and not already in the new slot."""
    held = Booking.objects.filter(
        uuid=booking.uuid,
        subject_type=booking.subject_type,
        subject_id=booking.subject_id,
        status=BookingStatus.BOOKED,
    ).exclude(slot_id=new_slot_id)
    return Slot.objects.filter(pk=Subquery(held.values("slot_id")[:1]), booked_count__gt=0).update(
        booked_count=F("booked_count") - 1,
        status=Case(When(status=SlotStatus.BUSY, then=Value(SlotStatus.FREE)), default=F("status")),
        updated_at=timezone.now(),
    )


def _booking_point(booking: BookingKnown, *, slot: Slot) -> None:
    moved = Booking.objects.filter(
        uuid=booking.uuid,
        subject_type=booking.subject_type,
        subject_id=booking.subject_id,
        status=BookingStatus.BOOKED,
        via_referral=booking.via_referral,
    ).update(slot=slot, updated_at=timezone.now())
    if moved != 1:
        raise Conflict(MOVED_MEANWHILE)


def _moved_record(actor: Actor, booking: BookingKnown, slot: Slot) -> None:
    booking_change_record(
        actor=actor,
        booking_uuid=booking.uuid,
        patient_id=booking.patient_id,
        subject=(booking.subject_type, booking.subject_id),
        detail={"rescheduled_to": str(slot.uuid)},
        event="rescheduled",
    )


def booking_move(
    *, actor: Actor, booking: BookingKnown, slot_uuid: uuid_module.UUID, workflow: str
) -> Slot:
    """Moves a workflow's own booking to the slot with this key, in three statements;
    returns the slot as it now is. Refused: SlotTaken (no place there), ValidationFailed
    (no such slot, or the one it is in), Conflict (the booking changed meanwhile)."""
    workflow_owns(workflow, booking.subject_type)
    with transaction.atomic():
        slot = _take_place_by_uuid(slot_uuid, via_referral=booking.via_referral)
        if slot is None:
            found = Slot.objects.filter(uuid=slot_uuid).first()
            if found is None:
                raise ValidationFailed.single("slot", UNKNOWN_SLOT)
            raise _refusal(found, via_referral=booking.via_referral)
        if _old_place_free(booking, new_slot_id=slot.pk) != 1:
            in_it = Booking.objects.filter(uuid=booking.uuid, slot_id=slot.pk).exists()
            raise ValidationFailed.single("slot", SAME_SLOT) if in_it else Conflict(MOVED_MEANWHILE)
        _booking_point(booking, slot=slot)
        _moved_record(actor, booking, slot)
    return slot


def booking_reschedule(
    *, actor: Actor, booking: Booking, new_slot: Slot, workflow: str = ""
) -> Booking:
    """Moves a booking read through its selector (a bare booking, from the scheduling API)
    to `new_slot`. A workflow's booking is moved only by that workflow (`workflow`), else
    Conflict."""
    workflow_only(booking, workflow)
    if new_slot.pk == booking.slot_id:
        raise ValidationFailed.single("slot", SAME_SLOT)
    known = BookingKnown(
        uuid=booking.uuid,
        subject_type=booking.subject_type,
        subject_id=booking.subject_id,
        patient_id=booking.patient_id,
        via_referral=booking.via_referral,
    )
    with transaction.atomic():
        if not _take_place(new_slot, via_referral=booking.via_referral):
            refused = True
        else:
            refused = False
            if _old_place_free(known, new_slot_id=new_slot.pk) != 1:
                raise Conflict(MOVED_MEANWHILE)
            _booking_point(known, slot=new_slot)
            _moved_record(actor, known, new_slot)
    if refused:
        raise _refusal(new_slot, via_referral=booking.via_referral)
    # What the UPDATE wrote, without reading the row back.
    booking.slot, booking.updated_at = new_slot, timezone.now()
    return booking


__all__ = ["BookingKnown", "booking_move", "booking_reschedule"]
