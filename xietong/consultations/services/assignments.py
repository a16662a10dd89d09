"""The centre's and the experts' side: quality check, triage, the expert's answer, booking
a real-time session and starting it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.core.actor import Actor
from xietong.core.errors import Conflict, Message, ValidationFailed
from xietong.core.workflow import Step
from xietong.patients.grants import patient_access_grant, patient_access_revoke

from ..access import assignments_added, assignments_of, live_assignment_of
from ..bookings import (
    consultation_booking_cancel,
    consultation_booking_create,
    consultation_booking_move,
)
from ..models import (
    LIVE_ASSIGNMENT,
    AssignmentStatus,
    CentreSettings,
    Consultation,
    ConsultationAssignment,
    Kind,
    Mode,
    PreferredTarget,
)
from ..workflow import Action
from ._core import MACHINE, coordinator_ids, expert_ids, requester_ids

if TYPE_CHECKING:
    from xietong.directory.models import Expert
    from xietong.scheduling.models import Slot


def _expert_user_id(expert: Expert) -> int | None:
    user = getattr(expert.practitioner, "user", None)
    return user.pk if user is not None else None


def _assign(actor: Actor, c: Consultation, experts: list[Expert], lead: Expert | None) -> None:
    """Create the assignments (validated as a whole with the live ones) and grant each
    expert the patient for this consultation."""
    errors: dict[str, list[Message]] = {}
    live = [a for a in assignments_of(c) if a.status in LIVE_ASSIGNMENT]
    live_ids = {a.expert_id for a in live}
    if not experts:
        errors["experts"] = [_("Choose at least one expert.")]
    for expert in experts:
        if not expert.active or "consultation" not in (expert.accepts or []):
            errors.setdefault("experts", []).append(
                _("%(name)s does not take consultations now.") % {"name": expert}
            )
        elif expert.pk in live_ids:
            errors.setdefault("experts", []).append(
                _("%(name)s is already assigned.") % {"name": expert}
            )
        elif _expert_user_id(expert) is None:
            errors.setdefault("experts", []).append(
                _("%(name)s has no account on the platform.") % {"name": expert}
            )
    total = len(live) + len(experts)
    if c.kind == Kind.MDT:
        leads = [a for a in live if a.lead] + ([lead] if lead else [])
        if total < 2:
            errors.setdefault("experts", []).append(
                _("An MDT consultation needs at least two experts.")
            )
        if len(leads) != 1 or (lead is not None and lead not in experts):
            errors.setdefault("lead", []).append(_("Name exactly one lead expert among them."))
    elif total != 1:
        errors.setdefault("experts", []).append(_("Assign exactly one expert."))
    if errors:
        raise ValidationFailed(errors)
    ConsultationAssignment.objects.bulk_create(
        [
            ConsultationAssignment(
                consultation=c, expert=expert, lead=(c.kind == Kind.MDT and expert == lead)
            )
            for expert in experts
        ]
    )
    assignments_added(c)
    for expert in experts:
        patient_access_grant(
            actor=actor,
            patient=c.patient,
            user_id=_expert_user_id(expert) or 0,
            source=c.source,
            reason="consultation",
        )


def release_assignment(
    actor: Actor, assignment: ConsultationAssignment, status: str, reason: str
) -> None:
    """The expert leaves the consultation: their access to the patient and their booking go."""
    assignment.status = status
    assignment.answered_at = timezone.now()
    if status == AssignmentStatus.DECLINED:
        assignment.decline_reason = reason
    if assignment.booking_uuid:
        consultation_booking_cancel(
            actor=actor,
            consultation_uuid=assignment.consultation.uuid,
            booking_uuid=assignment.booking_uuid,
            reason=reason,
        )
        assignment.booking_uuid = None
    assignment.save(update_fields=["status", "answered_at", "decline_reason", "booking_uuid"])
    user_id = _expert_user_id(assignment.expert)
    if user_id is not None:
        patient_access_revoke(actor=actor, source=assignment.consultation.source, user_id=user_id)


def consultation_qc_pass(*, actor: Actor, consultation: Consultation) -> Consultation:
    """Complete: on to triage, or, where the centre lets requesters choose and they chose an
    expert, straight to that expert."""
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=consultation, action=Action.QC_PASS)
        c = step.obj
        direct = (
            CentreSettings.objects.filter(centre_id=c.centre_id, direct_expert_pick=True).exists()
            and c.preferred_target == PreferredTarget.EXPERT
            and c.preferred_expert is not None
            and c.kind != Kind.MDT
        )
        if not direct:
            return MACHINE.step_finish(
                step, notify=coordinator_ids(c), title=gettext_lazy("Consultation to triage")
            )
        MACHINE.step_finish(step, notify=[], title=gettext_lazy("Consultation to triage"))
        # The platform's step, attributed to the QC officer whose pass set it off.
        auto = MACHINE.step_system(obj=c, action=Action.DIRECT_ASSIGN, actor=actor)
        _assign(actor, c, [c.preferred_expert], None)  # type: ignore[list-item]
        return MACHINE.step_finish(
            auto,
            notify=expert_ids(c) + requester_ids(c),
            title=gettext_lazy("A consultation awaits your answer"),
            urgent=True,
        )


def consultation_triage_assign(
    *, actor: Actor, consultation: Consultation, experts: list[Expert], lead: Expert | None = None
) -> Consultation:
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=consultation, action=Action.TRIAGE_ASSIGN)
        _assign(actor, step.obj, experts, lead)
        step.detail = {"experts": [str(e.practitioner.uuid) for e in experts]}
        return MACHINE.step_finish(
            step,
            notify=expert_ids(step.obj),
            title=gettext_lazy("A consultation awaits your answer"),
            urgent=True,
        )


def consultation_expert_accept(*, actor: Actor, consultation: Consultation) -> Consultation:
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=consultation, action=Action.EXPERT_ACCEPT)
        c = step.obj
        assignment = live_assignment_of(actor, c)
        if assignment is None or assignment.status != AssignmentStatus.PROPOSED:
            raise Conflict(_("You have already answered this consultation."), code="answered")
        assignment.status = AssignmentStatus.ACCEPTED
        assignment.answered_at = timezone.now()
        assignment.save(update_fields=["status", "answered_at"])
        if any(a.status == AssignmentStatus.PROPOSED for a in assignments_of(c)):
            return MACHINE.step_finish(
                step, notify=coordinator_ids(c), title=gettext_lazy("An expert accepted")
            )
        # The last answer: the coordinators hear once, that the consultation is accepted,
        # and the step that moves it on writes the row for both.
        accepted = gettext_lazy("Consultation accepted")
        MACHINE.step_finish(step, notify=coordinator_ids(c), title=accepted, row_written_next=True)
        done = MACHINE.step_system(obj=c, action=Action.ALL_ACCEPTED, actor=actor)
        return MACHINE.step_finish(done, notify=requester_ids(c), title=accepted)


def consultation_expert_decline(
    *, actor: Actor, consultation: Consultation, reason: str
) -> Consultation:
    """Back to triage; the expert loses access to the patient."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.single("reason", _("Give the reason for declining."))
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=consultation, action=Action.EXPERT_DECLINE)
        c = step.obj
        assignment = live_assignment_of(actor, c)
        if assignment is None or assignment.status != AssignmentStatus.PROPOSED:
            raise Conflict(_("You have already answered this consultation."), code="answered")
        release_assignment(actor, assignment, AssignmentStatus.DECLINED, reason)
        step.reason = reason
        return MACHINE.step_finish(
            step, notify=coordinator_ids(c), title=gettext_lazy("An expert declined")
        )


def _book(step: Step[Consultation], actor: Actor, slot: Slot, room: str) -> None:
    c = step.obj
    if c.mode != Mode.REALTIME:
        raise Conflict(
            _("Only a real-time consultation is booked into a time slot."), code="not_realtime"
        )
    accepted = [a for a in assignments_of(c) if a.status == AssignmentStatus.ACCEPTED]
    lead = min(accepted, key=lambda a: (not a.lead, a.id), default=None)
    assert lead is not None  # accepted means every live assignment was accepted
    if lead.booking_uuid:
        slot = consultation_booking_move(
            actor=actor, consultation=c, booking_uuid=lead.booking_uuid, slot_uuid=slot.uuid
        )
    else:
        booking = consultation_booking_create(
            actor=actor, slot=slot, consultation_uuid=c.uuid, patient=c.patient
        )
        lead.booking_uuid = booking.uuid
        lead.save(update_fields=["booking_uuid"])
    c.scheduled_start = slot.start
    c.room = room or str(getattr(slot, "room", "") or "")
    step.detail = {"start": c.scheduled_start, "room": c.room}


def consultation_schedule(
    *, actor: Actor, consultation: Consultation, slot: Slot, room: str = ""
) -> Consultation:
    """Books a slot of the expert's consultation schedule (scheduling refuses a taken slot
    with Conflict, and nothing here changes)."""
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=consultation, action=Action.SCHEDULE)
        _book(step, actor, slot, room)
        c = step.obj
        return MACHINE.step_finish(
            step,
            # Those who attend; the coordinators' desk made the booking itself.
            notify=requester_ids(c) + expert_ids(c),
            title=gettext_lazy("Consultation scheduled"),
            update_fields=["scheduled_start", "room"],
        )


def consultation_reschedule(
    *, actor: Actor, consultation: Consultation, slot: Slot, room: str = ""
) -> Consultation:
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=consultation, action=Action.RESCHEDULE)
        _book(step, actor, slot, room)
        c = step.obj
        return MACHINE.step_finish(
            step,
            # Those who attend; the coordinators' desk made the booking itself.
            notify=requester_ids(c) + expert_ids(c),
            title=gettext_lazy("Consultation time changed"),
            update_fields=["scheduled_start", "room"],
        )


def consultation_start(*, actor: Actor, consultation: Consultation) -> Consultation:
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=consultation, action=Action.START)
        c = step.obj
        return MACHINE.step_finish(
            step,
            notify=requester_ids(c) + expert_ids(c),
            title=gettext_lazy("Consultation started"),
        )
