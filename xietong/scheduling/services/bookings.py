"""Booking places in slots. No overbooking, ever: a place is taken by one conditional
UPDATE of the slot row (the database re-checks the condition on the latest row version
when writers race), never by reading a count and writing it back; a CHECK constraint on
the slot refuses an overbooked row as a last line of defence."""

from __future__ import annotations

import functools
import uuid as uuid_module
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import connections, transaction
from django.db.models import Case, Exists, F, OuterRef, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Conflict, Message, ValidationFailed
from xietong.core.events import event_emit
from xietong.directory.models import CollaborationLink, Service

from ..models import Booking, BookingStatus, Slot, SlotStatus
from .ownership import bare_subject_patient, workflow_only, workflow_owns
from .schedules import local_zone

SLOT_TAKEN = _("This slot is taken. Please choose one of the next free slots.")
SLOT_PAST = _("This slot has already started. Please choose one of the next free slots.")
SLOT_UNAVAILABLE = _("This slot is not available. Please choose one of the next free slots.")
REFERRAL_PLACES_REFUSED = _(
    "Only institutions that refer to this one through a collaboration link may book as a referral."
)

if TYPE_CHECKING:
    from xietong.patients.models import Patient


class SlotTaken(Conflict):
    """The slot cannot take this booking; `alternatives` are the next free slots like it,
    looked up when first read: a caller that only counts refusals (or lets the error pass
    to a page that does not offer them) does not pay for the search."""

    code = "slot_taken"

    def __init__(
        self, message: Message, *, alternatives: list[Slot] | Callable[[], list[Slot]]
    ) -> None:
        super().__init__(message)
        self._alternatives = alternatives

    @property
    def alternatives(self) -> list[Slot]:
        if callable(self._alternatives):
            self._alternatives = self._alternatives()
        return self._alternatives


@functools.cache
def _take_place_sql(vendor: str, *, via_referral: bool, linked: bool, by_uuid: bool = False) -> str:
    """The conditional UPDATE that takes a place, written once per kind of database and
    of booking. It is the hottest statement of a booking: built through the ORM (filter,
    F expressions, Case) on every call it cost more Python than the rest of the booking.
    The right-hand sides read the row as it was before this update. `linked`: the place is
    a referral's from another institution, which needs that institution's referral link to
    the slot's owner (checked here rather than by a query of its own before). `by_uuid`: the
    slot is named by its key and the statement answers its row as the update left it, so a
    caller that has only the key reads it in the same statement."""
    quote = connections[Slot.objects.db].ops.quote_name
    column = {f.name: quote(f.column) for f in Slot._meta.concrete_fields}
    table = quote(Slot._meta.db_table)
    booked, capacity, status = column["booked_count"], column["capacity"], column["status"]
    limit = capacity if via_referral else f"{capacity} - {column['referral_reserved']}"
    # Only names from the models and placeholders go into the text.
    sql = " ".join(
        [
            f"UPDATE {table} SET {booked} = {booked} + 1,",  # noqa: S608
            f"{status} = CASE WHEN {booked} >= {capacity} - 1 THEN %s ELSE %s END,",
            f"{column['updated_at']} = %s",
            f"WHERE {column['uuid' if by_uuid else 'id']} = %s AND {status} = %s",
            f"AND {column['start']} > %s AND {booked} < {limit}",
        ]
    )
    if linked:
        link = {f.name: quote(f.column) for f in CollaborationLink._meta.concrete_fields}
        links = quote(CollaborationLink._meta.db_table)
        sql += " ".join(
            [
                f" AND EXISTS (SELECT 1 FROM {links} WHERE",  # noqa: S608
                f"{link['provider']} = {table}.{column['institution']} AND {link['client']} = %s",
                f"AND {link['service']} = %s AND {link['active']} = %s)",
            ]
        )
    if by_uuid:
        sql += " RETURNING " + ", ".join(column.values())
    return sql


def _take_place(slot: Slot, *, via_referral: bool, referred_by: int | None = None) -> bool:
    """One atomic UPDATE: takes a place if the slot is free, in the future and, for a
    booking that is not a referral, has room outside the places reserved for referrals;
    with `referred_by`, only if that institution refers to the slot's owner."""
    connection = connections[Slot.objects.db]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    linked = referred_by is not None
    sql = _take_place_sql(connection.vendor, via_referral=via_referral, linked=linked)
    params: list[Any] = [
        SlotStatus.BUSY.value, SlotStatus.FREE.value, now, slot.pk, SlotStatus.FREE.value, now,
    ]  # fmt: skip
    if linked:
        params += [referred_by, Service.REFERRAL.value, True]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == 1


def _free_place(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, booked_count__gt=0).update(
        booked_count=F("booked_count") - 1,
        status=Case(When(status=SlotStatus.BUSY, then=Value(SlotStatus.FREE)), default=F("status")),
        updated_at=timezone.now(),
    )


def _refusal(slot: Slot, *, via_referral: bool, referred_by: int | None = None) -> SlotTaken:
    """Why the place was not taken, in one read of the slot (and, for a referral from
    another institution, of its link: without one the booking was never allowed)."""
    from ..selectors import next_free_slots

    link = CollaborationLink.objects.filter(
        provider_id=OuterRef("institution_id"), client_id=referred_by, service=Service.REFERRAL,
        active=True,
    )  # fmt: skip
    current = (
        Slot.objects.filter(pk=slot.pk)
        .annotate(linked=Exists(link) if referred_by is not None else Value(True))
        .values_list("status", "start", "linked")
        .order_by()
        .first()
    )
    if current is not None and not current[2]:
        raise ValidationFailed.single("via_referral", REFERRAL_PLACES_REFUSED)
    if current is None or current[0] in (
        SlotStatus.BUSY_UNAVAILABLE,
        SlotStatus.ENTERED_IN_ERROR,
    ):
        message = SLOT_UNAVAILABLE
    elif current[1] <= timezone.now():
        message = SLOT_PAST
    else:
        message = SLOT_TAKEN
    return SlotTaken(
        message,
        alternatives=lambda: next_free_slots(like=slot, via_referral=via_referral, limit=5),
    )


def _number(booking_uuid: uuid_module.UUID) -> str:
    # People read this one: the day in Shanghai and a part of the UUID (unique in the table).
    day = timezone.now().astimezone(local_zone()).strftime("%Y%m%d")
    return f"YY-{day}-{booking_uuid.hex[:8].upper()}"


def _subject_clean(subject_type: str, subject_id: Any) -> tuple[str, uuid_module.UUID]:
    errors: dict[str, list[Message]] = {}
    subject_type = (subject_type or "").strip()
    if not subject_type or len(subject_type) > 32:
        errors["subject_type"] = [_("Name what the booking is for (at most 32 characters).")]
    try:
        subject_uuid = (
            subject_id
            if isinstance(subject_id, uuid_module.UUID)
            else uuid_module.UUID(str(subject_id))
        )
    except ValueError:
        errors["subject_id"] = [_("Enter a valid UUID.")]
    if errors:
        raise ValidationFailed(errors)
    return subject_type, subject_uuid


def _referred_by(actor: Actor, slot: Slot, *, via_referral: bool) -> int | None:
    """Reserved places are for referrals from institutions the slot's owner serves for
    referral, or booked by the owner's own desk on a referral's behalf. The institution
    whose link the booking needs (None: it needs none)."""
    if not via_referral:
        return None
    if actor.institution_id is None:
        raise ValidationFailed.single("via_referral", REFERRAL_PLACES_REFUSED)
    return None if actor.institution_id == slot.institution_id else actor.institution_id


def booking_create(
    *,
    actor: Actor,
    slot: Slot,
    subject_type: str,
    subject_id: Any,
    patient: Patient | None = None,
    via_referral: bool = False,
    workflow: str = "",
) -> Booking:
    """Books one place for a consultation, a referral or a patient. A workflow booking for
    its own object passes `workflow` (its subject type) and has decided who may book; a bare
    booking needs a patient of the actor's institution as its subject (subjects.py). Raises
    SlotTaken (409) with the next free slots when the slot is full, past or unavailable."""
    subject_type, subject_uuid = _subject_clean(subject_type, subject_id)
    if workflow:
        workflow_owns(workflow, subject_type)
    else:
        patient = bare_subject_patient(
            actor=actor, subject_type=subject_type, subject_id=subject_uuid, patient=patient
        )
    referred_by = _referred_by(actor, slot, via_referral=via_referral)
    with transaction.atomic():
        if _take_place(slot, via_referral=via_referral, referred_by=referred_by):
            booking = Booking(
                slot=slot,
                subject_type=subject_type,
                subject_id=subject_uuid,
                patient=patient,
                booked_by_id=actor.user_id,
                institution_id=actor.institution_id,
                via_referral=via_referral,
            )
            booking.number = _number(booking.uuid)
            booking.save(force_insert=True)
            audit_record(
                actor=actor,
                action="booking.create",
                resource_type="Booking",
                resource_id=booking.uuid,
                patient_id=patient.pk if patient else None,
                detail={
                    "slot": str(slot.uuid),
                    "subject": subject_type,
                    "via_referral": via_referral,
                },
            )
            event_emit(
                "scheduling.booking_created",
                booking=str(booking.uuid),
                subject_type=subject_type,
                subject_id=str(subject_uuid),
            )
            return booking
    raise _refusal(slot, via_referral=via_referral, referred_by=referred_by)


def booking_change_record(
    *,
    actor: Actor,
    booking_uuid: uuid_module.UUID,
    patient_id: int | None,
    subject: tuple[str, Any],
    detail: dict[str, Any],
    event: str,
) -> None:
    """A change to a booking: audited, and `scheduling.booking_<event>` after commit."""
    audit_record(
        actor=actor,
        action="booking.update",
        resource_type="Booking",
        resource_id=booking_uuid,
        patient_id=patient_id,
        detail=detail,
    )
    event_emit(
        f"scheduling.booking_{event}",
        booking=str(booking_uuid),
        subject_type=subject[0],
        subject_id=str(subject[1]),
    )


def _status_move(
    *,
    actor: Actor,
    booking: Booking,
    allowed: tuple[str, ...],
    to: str,
    action: str,
    workflow: str,
    note: str = "",
    **fields: Any,
) -> Booking:
    """The one place a booking's status changes: conditional on its current state, so two
    people acting at once leave it consistent and the loser gets a Conflict."""
    workflow_only(booking, workflow)
    now = timezone.now()
    moved = Booking.objects.filter(pk=booking.pk, status__in=allowed).update(
        status=to, updated_at=now, **fields
    )
    if moved != 1:
        current = Booking.objects.get(pk=booking.pk)
        raise Conflict(
            _("The booking is %(status)s; this cannot be done now.")
            % {"status": current.get_status_display()}
        )
    booking_change_record(
        actor=actor,
        booking_uuid=booking.uuid,
        patient_id=booking.patient_id,
        subject=(booking.subject_type, booking.subject_id),
        detail={"status": to, "reason": note} if note else {"status": to},
        event=action,
    )
    # What the UPDATE wrote, kept on the object rather than read back.
    booking.status, booking.updated_at = to, now
    for name, value in fields.items():
        setattr(booking, name, value)
    return booking


def booking_cancel(*, actor: Actor, booking: Booking, reason: str, workflow: str = "") -> Booking:
    """Cancels a booking that has not taken place and frees its place. A workflow's booking
    is cancelled only by that workflow (`workflow`), else Conflict."""
    workflow_only(booking, workflow)  # before the reason: whose booking it is comes first
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.single("reason", _("Give the reason for cancelling."))
    if len(reason) > 300:
        raise ValidationFailed.single("reason", _("At most 300 characters."))
    with transaction.atomic():
        booking = _status_move(
            actor=actor,
            booking=booking,
            allowed=(BookingStatus.BOOKED,),
            to=BookingStatus.CANCELLED,
            action="cancelled",
            workflow=workflow,
            note=reason,
            cancelled_at=timezone.now(),
            reason=reason,
        )
        _free_place(booking.slot_id)
    return booking


def booking_check_in(*, actor: Actor, booking: Booking, workflow: str = "") -> Booking:
    with transaction.atomic():
        return _status_move(
            actor=actor,
            booking=booking,
            allowed=(BookingStatus.BOOKED,),
            to=BookingStatus.ARRIVED,
            action="arrived",
            workflow=workflow,
            arrived_at=timezone.now(),
        )


def booking_mark_no_show(*, actor: Actor, booking: Booking, workflow: str = "") -> Booking:
    """The patient did not come. The place stays consumed: the time has passed."""
    workflow_only(booking, workflow)
    if booking.slot.start > timezone.now():
        raise Conflict(_("A booking can be marked as a no-show only once its slot has begun."))
    with transaction.atomic():
        return _status_move(
            actor=actor,
            booking=booking,
            allowed=(BookingStatus.BOOKED,),
            to=BookingStatus.NOSHOW,
            action="noshow",
            workflow=workflow,
        )


def booking_fulfil(*, actor: Actor, booking: Booking, workflow: str = "") -> Booking:
    with transaction.atomic():
        return _status_move(
            actor=actor,
            booking=booking,
            allowed=(BookingStatus.ARRIVED,),
            to=BookingStatus.FULFILLED,
            action="fulfilled",
            workflow=workflow,
        )
