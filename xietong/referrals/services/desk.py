"""The receiving desk: accept, acknowledge a green-channel referral, decline, propose another
time, check the patient in, or mark that they did not come."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.core.actor import Actor
from xietong.core.errors import Conflict, ValidationFailed
from xietong.core.times import local_time

from ..models import Referral
from ..notify import patient_sms
from ..workflow import Action
from ._bookings import booking_absent, booking_arrive, booking_release, slot_problems
from ._core import MACHINE, held
from .requests import _reason, _tell_patient_booked

if TYPE_CHECKING:
    from xietong.scheduling.models import Slot


def _sender(r: Referral) -> list[int]:
    return [r.sending_user_id]


def referral_accept(*, actor: Actor, referral: Referral) -> Referral:
    """Confirms the booked place; the patient gets an SMS with the time and the slip."""
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=referral, action=Action.ACCEPT)
        r = held(step, referral)
        if r.green_channel:
            raise Conflict(
                _("A green-channel referral is acknowledged, not accepted."), code="green_channel"
            )
        r = MACHINE.step_finish(
            step, notify=_sender(r), title=gettext_lazy("Your referral was accepted")
        )
        _tell_patient_booked(r)
    return r


def referral_acknowledge(*, actor: Actor, referral: Referral) -> Referral:
    """The receiving side has seen the emergency and is ready for the patient."""
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=referral, action=Action.ACKNOWLEDGE)
        r = held(step, referral)
        if not r.green_channel:
            raise Conflict(_("Only a green-channel referral is acknowledged."), code="not_green")
        r.acknowledged_at = timezone.now()
        r = MACHINE.step_finish(
            step,
            notify=_sender(r),
            title=gettext_lazy("The green-channel referral was acknowledged"),
            update_fields=["acknowledged_at"],
            urgent=True,
        )
    return r


def referral_decline(*, actor: Actor, referral: Referral, reason: str) -> Referral:
    reason = _reason(reason)
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=referral, action=Action.DECLINE)
        r = held(step, referral)
        booking_release(actor=actor, r=r, reason=reason)
        r.decline_reason = reason
        step.reason = reason
        r = MACHINE.step_finish(
            step,
            notify=_sender(r),
            title=gettext_lazy("Your referral was declined"),
            update_fields=["decline_reason"],
        )
    return r


def referral_propose(*, actor: Actor, referral: Referral, slot: Slot, note: str = "") -> Referral:
    """Offers the sender another slot; the current place is kept until they answer."""
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationFailed.single("note", _("At most %(n)d characters.") % {"n": 300})
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=referral, action=Action.PROPOSE)
        r = held(step, referral)
        if r.green_channel:
            raise Conflict(_("A green-channel referral has no slot to move."), code="green_channel")
        problems = slot_problems(slot=slot, kind=r.kind, institution_id=r.receiving_institution_id)
        if r.slot_start and slot.start == r.slot_start:
            problems.append(_("Propose a different time."))
        if problems:
            raise ValidationFailed({"slot": problems})
        r.proposed_slot_uuid = slot.uuid
        r.proposed_start = slot.start
        r.proposal_note = note
        step.reason = note
        r = MACHINE.step_finish(
            step,
            notify=_sender(r),
            title=gettext_lazy("Another time was proposed for your referral"),
            update_fields=["proposed_slot_uuid", "proposed_start", "proposal_note"],
        )
    return r


def booked_day_ahead(referral: Referral) -> dt.date | None:
    """The day the patient is booked for, when it is after today (on the platform's clock):
    a check-in now comes before the booked day. None for today, a past day or no slot."""
    if referral.slot_start is None:
        return None
    booked = timezone.localtime(referral.slot_start).date()
    return booked if booked > timezone.localdate() else None


def referral_check_in(*, actor: Actor, referral: Referral) -> Referral:
    """The patient is at the desk. Coming before the booked day is recorded as it happened
    (the pages ask the desk to confirm it first); the place stays taken at its time."""
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=referral, action=Action.CHECK_IN)
        r = held(step, referral)
        if r.slot_start is not None and booked_day_ahead(r):
            step.reason = _("Came before the booked day (booked for %(when)s).") % {
                "when": local_time(r.slot_start)
            }
        booking_arrive(actor=actor, r=r)
        r = MACHINE.step_finish(
            step, notify=_sender(r), title=gettext_lazy("Your referred patient has arrived")
        )
    return r


def referral_mark_no_show(*, actor: Actor, referral: Referral) -> Referral:
    """The patient did not come: the place stays consumed, the sender is told."""
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=referral, action=Action.NO_SHOW)
        r = held(step, referral)
        if r.slot_start and r.slot_start > timezone.now():
            raise Conflict(
                _("A patient can be marked as not come only once the appointment has begun."),
                code="too_early",
            )
        booking_absent(actor=actor, r=r)
        r = MACHINE.step_finish(
            step, notify=_sender(r), title=gettext_lazy("Your referred patient did not come")
        )
        patient_sms(
            r=r,
            text=_("Referral %(number)s: you missed the appointment. Please contact your doctor.")
            % {"number": r.number},
        )
    return r
