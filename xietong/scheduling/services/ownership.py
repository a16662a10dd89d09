"""Whose booking it is: a workflow's (changed only by that workflow) or a bare booking for a
patient of the booking institution (subjects.py says why)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.errors import Conflict, NotPermitted, ValidationFailed
from xietong.patients.selectors import patient_in_care_of

from ..access import can_book
from ..models import Booking
from ..subjects import PATIENT, workflow_subject_of

if TYPE_CHECKING:
    from xietong.patients.models import Patient


def workflow_owns(workflow: str, subject_type: str) -> None:
    """A workflow books for its own registered subject type only. Anything else is a slip in
    the calling code, not a user's mistake: a booking under an unregistered type would be
    open to direct changes, the very thing the registry prevents."""
    if workflow != subject_type or workflow_subject_of(workflow) is None:
        raise ValueError(
            f"workflow {workflow!r} may not book for {subject_type!r}: "
            "a workflow registers its subject type and books for it alone"
        )


def workflow_only(booking: Booking, workflow: str) -> None:
    """Refuses a change to a workflow's booking from anywhere but that workflow: cancelled or
    moved behind its back, the workflow would go on saying "scheduled" or "accepted"."""
    owner = workflow_subject_of(booking.subject_type)
    if owner is None:
        if workflow:
            raise ValueError(f"booking {booking.uuid} is not a {workflow!r} booking")
        return
    if workflow != owner.kind:
        raise Conflict(owner.refusal, code="workflow_booking")


def bare_subject_patient(
    *, actor: Actor, subject_type: str, subject_id: uuid.UUID, patient: Patient | None
) -> Patient:
    """The patient a bare booking is for: one in the care of the actor's institution. A
    missing patient and another institution's get the same answer, so the booking form
    cannot be used to learn who is a patient where."""
    if not can_book(actor):
        raise NotPermitted(_("Your role may not book slots."))
    owner = workflow_subject_of(subject_type)
    if owner is not None:
        raise ValidationFailed.single("subject_type", owner.refusal)
    if subject_type != PATIENT:
        raise ValidationFailed.single(
            "subject_type",
            _('A booking made here is for a patient: the subject type is "patient".'),
        )
    found = patient_in_care_of(institution_id=actor.institution_id, patient_uuid=subject_id)
    if found is None:
        raise ValidationFailed.single(
            "subject_id", _("No patient of your institution has this ID.")
        )
    if patient is not None and patient.pk != found.pk:
        raise ValidationFailed.single("patient", _("The patient must be the booking's subject."))
    return found
