"""Granting and revoking access to one patient, for a piece of work.

Workflows call these from their own services, inside their transactions: an expert assigned
to a consultation is granted the patient; declining or being replaced revokes it, and the
consultation's end makes it read-only for XT_SHARED_READ_DAYS, after which it reads nothing.
An institution that takes part in a consultation or a referral gets a care relationship
(`care_relationship_open`), which is a grant too and audited as one."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.events import event_emit

from .access import access_taken_away, shared_until
from .models import CareReason, CareRelationship, Patient, PatientAccessGrant


def patient_access_grant(
    *, actor: Actor, patient: Patient, user_id: int, source: str, reason: str = ""
) -> None:
    """Idempotent: granting again for the same source re-opens a revoked grant. One
    statement either way (an insert that, where the grant exists, clears its revocation)."""
    table = _quoted(PatientAccessGrant)
    sql = (
        f"INSERT INTO {table} (patient_id, user_id, source, reason, granted_at) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s) "
        "ON CONFLICT (patient_id, user_id, source) DO UPDATE SET revoked_at = NULL"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [patient.pk, user_id, source, reason[:200], _now(PatientAccessGrant)])
        audit_record(
            actor=actor,
            action="access.grant",
            resource_type="Patient",
            resource_id=patient.uuid,
            patient_id=patient.pk,
            detail={"user_id": user_id, "source": source},
        )


def _quoted(model: type[PatientAccessGrant] | type[CareRelationship]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _now(model: type[PatientAccessGrant] | type[CareRelationship]) -> Any:
    """Now, as the model's first date column stores it on this database."""
    field = next(f for f in model._meta.concrete_fields if f.name in ("granted_at", "since"))
    return field.get_db_prep_save(timezone.now(), connection)


def patient_access_revoke(*, actor: Actor, source: str, user_id: int | None = None) -> int:
    """Revokes the live grants made for `source` (only `user_id`'s when given); returns how
    many were revoked. One statement for all of them, each audited."""
    sql = (
        f"UPDATE {_quoted(PatientAccessGrant)} SET revoked_at = %s "  # noqa: S608
        "WHERE source = %s AND revoked_at IS NULL"
    )
    params: list[Any] = [_now(PatientAccessGrant), source]
    if user_id is not None:
        sql += " AND user_id = %s"
        params.append(user_id)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql + " RETURNING patient_id, user_id", params)
            revoked = sorted(cursor.fetchall())
        if revoked:
            access_taken_away()
        for patient_id, grant_user_id in revoked:
            audit_record(
                actor=actor,
                action="access.revoke",
                resource_type="Patient",
                resource_id=patient_id,
                patient_id=patient_id,
                detail={"user_id": grant_user_id, "source": source},
            )
        if revoked:
            # After commit: whatever the revoked people still have open (a chat, a video
            # room) checks their access again.
            event_emit(
                "patient.access_revoked",
                source=source,
                user_ids=sorted({u for _, u in revoked}),
                patient_ids=sorted({p for p, _ in revoked}),
            )
    return len(revoked)


def patient_access_end(*, actor: Actor | None, source: str) -> int:
    """The work named by `source` ended: its live grants stop writing now and stop reading
    after the read-only period (XT_SHARED_READ_DAYS). Returns how many grants it ended.
    One statement for all of them, each audited."""
    until = shared_until(timezone.now())
    field = PatientAccessGrant._meta.get_field("read_only_until")
    sql = (
        f"UPDATE {_quoted(PatientAccessGrant)} SET read_only_until = %s "  # noqa: S608
        "WHERE source = %s AND revoked_at IS NULL AND read_only_until IS NULL "
        "RETURNING patient_id, user_id"
    )
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, [field.get_db_prep_save(until, connection), source])
            ended = sorted(cursor.fetchall())
        if ended:
            access_taken_away()
        for patient_id, user_id in ended:
            audit_record(
                actor=actor,
                action="access.end",
                resource_type="Patient",
                resource_id=patient_id,
                patient_id=patient_id,
                detail={
                    "user_id": user_id,
                    "source": source,
                    "read_only_until": until.isoformat() if until else None,
                },
            )
    return len(ended)


def care_relationship_open(
    *, actor: Actor | None, patient: Patient, institution_id: int, reason: CareReason, source: str
) -> bool:
    """The institution takes part in work about the patient (the centre a consultation was
    sent to, the hospital a referral goes to), so it sees the patient's shared data. Opening
    one is audited as a grant to the institution; an existing one is kept as it is. Returns
    whether it was opened now. Call inside the work's transaction.

    One statement either way: an insert that does nothing where the pair exists (both
    databases know ON CONFLICT … DO NOTHING … RETURNING)."""
    sql = (
        f"INSERT INTO {_quoted(CareRelationship)} "  # noqa: S608
        "(patient_id, institution_id, reason, since, phone, address) "
        "VALUES (%s, %s, %s, %s, '', '') "
        "ON CONFLICT (institution_id, patient_id) DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [patient.pk, institution_id, str(reason), _now(CareRelationship)])
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
