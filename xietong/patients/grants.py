"""Granting and revoking access to one patient, for a piece of work.

Workflows call these from their own services, inside their transactions: an expert assigned
to a consultation is granted the patient; declining or being replaced revokes it, and the
consultation's end makes it read-only for XT_SHARED_READ_DAYS, after which it reads nothing.
An institution that takes part in a consultation or a referral gets a care relationship
(`care_relationship_open`), which is a grant too and audited as one."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.events import event_emit

from .access import shared_until
from .models import CareReason, CareRelationship, Patient, PatientAccessGrant


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
        if revoked:
            # After commit: whatever the revoked people still have open (a chat, a video
            # room) checks their access again.
            event_emit(
                "patient.access_revoked",
                source=source,
                user_ids=sorted({g.user_id for g in revoked}),
                patient_ids=sorted({g.patient_id for g in revoked}),
            )
    return len(revoked)


def patient_access_end(*, actor: Actor | None, source: str) -> int:
    """The work named by `source` ended: its live grants stop writing now and stop reading
    after the read-only period (XT_SHARED_READ_DAYS). Returns how many grants it ended."""
    until = shared_until(timezone.now())
    with transaction.atomic():
        grants = list(
            PatientAccessGrant.objects.select_for_update().filter(
                source=source, revoked_at__isnull=True, read_only_until__isnull=True
            )
        )
        for grant in grants:
            grant.read_only_until = until
            grant.save(update_fields=["read_only_until"])
            audit_record(
                actor=actor,
                action="access.end",
                resource_type="Patient",
                resource_id=grant.patient_id,
                patient_id=grant.patient_id,
                detail={
                    "user_id": grant.user_id,
                    "source": source,
                    "read_only_until": until.isoformat() if until else None,
                },
            )
    return len(grants)


def care_relationship_open(
    *, actor: Actor | None, patient: Patient, institution_id: int, reason: CareReason, source: str
) -> bool:
    """The institution takes part in work about the patient (the centre a consultation was
    sent to, the hospital a referral goes to), so it sees the patient's shared data. Opening
    one is audited as a grant to the institution; an existing one is kept as it is. Returns
    whether it was opened now. Call inside the work's transaction.

    One statement either way: an insert that does nothing where the pair exists (both
    databases know ON CONFLICT … DO NOTHING … RETURNING)."""
    q = connection.ops.quote_name
    table = q(CareRelationship._meta.db_table)
    sql = (
        f"INSERT INTO {table} (patient_id, institution_id, reason, since, phone, address) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, '', '') "
        "ON CONFLICT (institution_id, patient_id) DO NOTHING RETURNING id"
    )
    since = CareRelationship._meta.get_field("since").get_db_prep_save(timezone.now(), connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [patient.pk, institution_id, str(reason), since])
        created = cursor.fetchone() is not None
    if created:
        audit_record(
            actor=actor,
            action="access.grant",
            resource_type="Patient",
            resource_id=patient.uuid,
            patient_id=patient.pk,
            detail={"institution_id": institution_id, "reason": reason, "source": source},
        )
    return created
