"""Granting and revoking access to one patient, for a piece of work.

Workflows call these from their own services, inside their transactions: an expert assigned
to a consultation is granted the patient; declining or being replaced revokes it, and the
consultation's end makes it read-only for XT_SHARED_READ_DAYS, after which it reads nothing.
An institution that takes part in a consultation or a referral gets a care relationship
(`care_relationship_open`), which is a grant too and audited as one."""

from __future__ import annotations

import datetime as dt
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
        cursor.execute(sql, [patient.pk, user_id, source, reason[:200], _as_stored(timezone.now())])
        _granted(actor, patient, {"user_id": user_id, "source": source})


def _granted(actor: Actor | None, patient: Patient, detail: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        action="access.grant",
        resource_type="Patient",
        resource_id=patient.uuid,
        patient_id=patient.pk,
        detail=detail,
    )


def _quoted(model: type[PatientAccessGrant] | type[CareRelationship]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _as_stored(moment: dt.datetime | None) -> Any:
    """A moment as this database stores a date-time column."""
    return connection.ops.adapt_datetimefield_value(moment)


def _live_grants_update(assignment: str, where: str, params: list[Any]) -> list[tuple[int, int]]:
    """Applies `SET <assignment>` to the live grants matching `where` (fixed fragments of
    this module; the values are parameters) in one statement;
    returns the (patient, user) pairs it changed. Any yes kept on a patient object in this
    process is asked again from now on."""
    sql = (
        f"UPDATE {_quoted(PatientAccessGrant)} SET {assignment} "  # noqa: S608
        f"WHERE revoked_at IS NULL AND {where} RETURNING patient_id, user_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ended = sorted(cursor.fetchall())
    if ended:
        access_taken_away()
    return ended


def patient_access_revoke(*, actor: Actor, source: str, user_id: int | None = None) -> int:
    """Revokes the live grants made for `source` (only `user_id`'s when given); returns how
    many were revoked. One statement for all of them, each audited."""
    where, params = "source = %s", [_as_stored(timezone.now()), source]
    if user_id is not None:
        where += " AND user_id = %s"
        params.append(user_id)
    with transaction.atomic():
        revoked = _live_grants_update("revoked_at = %s", where, params)
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
    with transaction.atomic():
        ended = _live_grants_update(
            "read_only_until = %s", "source = %s AND read_only_until IS NULL",
            [_as_stored(until), source],
        )  # fmt: skip
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
        cursor.execute(sql, [patient.pk, institution_id, str(reason), _as_stored(timezone.now())])
        created = cursor.fetchone() is not None
    if created:
        _granted(
            actor, patient, {"institution_id": institution_id, "reason": reason, "source": source}
        )
    return created
