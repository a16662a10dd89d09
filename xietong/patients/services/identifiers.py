"""Other identifiers of a patient: record numbers per institution, insurance cards."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Message, ValidationFailed
from xietong.core.events import event_emit

from ..models import (
    IdentifierSystem,
    Patient,
    PatientIdentifier,
)
from ..validation import (
    FieldInvalid,
    identifier_value_normalise,
)
from ._common import _authorize_on


def patient_identifier_add(
    *, actor: Actor, patient: Patient, system: str, value: str
) -> PatientIdentifier:
    """A medical record number (assigned by the actor's institution) or an insurance card."""
    _authorize_on(actor, patient)
    errors: dict[str, list[Message]] = {}
    if system not in (IdentifierSystem.MRN, IdentifierSystem.INSURANCE):
        errors["system"] = [_("Select a valid choice.")]
    try:
        cleaned = identifier_value_normalise(value or "")
    except FieldInvalid as exc:
        errors["value"] = [exc.message]
    if errors:
        raise ValidationFailed(errors)
    assigner_id = actor.institution_id if system == IdentifierSystem.MRN else None
    taken = PatientIdentifier.objects.filter(
        system=system, assigner_id=assigner_id, value=cleaned
    ).first()
    if taken is not None:
        if taken.patient_id == patient.pk:
            raise ValidationFailed.single("value", _("This patient already has this identifier."))
        raise ValidationFailed.single("value", _("This identifier belongs to another patient."))
    try:
        with transaction.atomic():
            identifier = PatientIdentifier.objects.create(
                patient=patient, system=system, value=cleaned, assigner_id=assigner_id
            )
            audit_record(
                actor=actor,
                action="patient.update",
                resource_type="Patient",
                resource_id=patient.uuid,
                patient_id=patient.pk,
                detail={"identifier_added": system},
            )
            event_emit("patient.identifier_added", patient_id=patient.pk, system=system)
    except IntegrityError:
        raise ValidationFailed.single(
            "value", _("This identifier belongs to another patient.")
        ) from None
    return identifier
