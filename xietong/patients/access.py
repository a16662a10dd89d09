"""Who may register patients and who may see them.

A patient's data is visible to the institutions that have a care relationship with them
(they registered the patient, care for them, or take part in a consultation or referral about
them), and there only to members whose roles are clinical. Supervisors see aggregates, never
patient rows; platform administrators run the platform and see no patient data by default."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from xietong.core.actor import Actor

from .models import CareRelationship, Patient, PatientAccessGrant

# The roles that register residents as patients at their institution.
REGISTER_ROLES = frozenset(
    {"requester", "referral_desk", "coordinator", "qc", "expert", "institution_admin"}
)
# The roles that read the patients of their institution: those who register them, and
# pharmacists reviewing prescriptions.
VIEW_ROLES = REGISTER_ROLES | {"pharmacist"}


def can_register_patients(actor: Actor) -> bool:
    return actor.institution_id is not None and bool(actor.roles & REGISTER_ROLES)


def can_view_patients(actor: Actor) -> bool:
    return actor.institution_id is not None and bool(actor.roles & VIEW_ROLES)


def visible_patients_q(actor: Actor) -> Q:
    """A filter on Patient that keeps what the actor may see: the patients their institution
    cares for, and those granted to them by name (an assigned expert). Written as EXISTS over
    unique indexes, so it neither multiplies rows nor scans care rows."""
    institution_id = actor.institution_id
    if institution_id is None or not can_view_patients(actor):
        return Q(pk__in=[])
    cared = CareRelationship.objects.filter(
        patient_id=OuterRef("pk"), institution_id=institution_id
    )
    granted = PatientAccessGrant.objects.filter(
        patient_id=OuterRef("pk"), user_id=actor.user_id, revoked_at__isnull=True
    )
    return Q(Exists(cared)) | Q(Exists(granted))


def patient_visible_to(actor: Actor, patient: Patient) -> bool:
    return Patient.objects.filter(visible_patients_q(actor), pk=patient.pk).exists()
