"""Granting and revoking one person's access to one patient, for a piece of work.

Workflows call these from their own services, inside their transactions: an expert assigned
to a consultation is granted the patient; declining, being replaced or the consultation's end
revokes it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from xietong.core.actor import Actor
from xietong.core.audit import audit_record

from .models import Patient, PatientAccessGrant


def patient_access_grant(
    *, actor: Actor, patient: Patient, user_id: int, source: str, reason: str = ""
) -> PatientAccessGrant:
    """Idempotent: granting again for the same source re-opens a revoked grant."""
    with transaction.atomic():
        grant, created = PatientAccessGrant.objects.get_or_create(
            patient=patient, user_id=user_id, source=source, defaults={"reason": reason[:200]}
        )
        if not created and grant.revoked_at is not None:
            grant.revoked_at = None
            grant.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="access.grant",
            resource_type="Patient",
            resource_id=patient.uuid,
            patient_id=patient.pk,
            detail={"user_id": user_id, "source": source},
        )
    return grant


def patient_access_revoke(*, actor: Actor, source: str, user_id: int | None = None) -> int:
    """Revokes the live grants made for `source` (only `user_id`'s when given); returns how
    many were revoked."""
    with transaction.atomic():
        grants = PatientAccessGrant.objects.select_for_update().filter(
            source=source, revoked_at__isnull=True
        )
        if user_id is not None:
            grants = grants.filter(user_id=user_id)
        revoked = list(grants)
        now = timezone.now()
        for grant in revoked:
            grant.revoked_at = now
            grant.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor,
                action="access.revoke",
                resource_type="Patient",
                resource_id=grant.patient_id,
                patient_id=grant.patient_id,
                detail={"user_id": grant.user_id, "source": source},
            )
    return len(revoked)
