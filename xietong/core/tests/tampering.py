"""Changing the audit log the way someone with the database owner's rights would: around the
append-only trigger, with no access to the audit key or the checkpoint file."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import connection

from xietong.core.models import AuditEvent

SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update BEFORE UPDATE ON core_auditevent
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


def as_db_owner(*, sql: str, params: list[Any]) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = replica")
            cur.execute(sql, params)
            cur.execute("SET session_replication_role = DEFAULT")
        else:
            cur.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")
            cur.execute(sql, params)
            cur.execute(SQLITE_TRIGGER)


def plain_sha256(*, event: AuditEvent) -> str:
    """What anyone can compute: the unkeyed SHA-256 the log used before keyed hashes."""
    names = (
        "seq", "at", "user_id", "username", "membership_id", "institution_id", "region_path",
        "roles", "action", "resource_type", "resource_id", "patient_id", "outcome", "ip",
        "detail",
    )  # fmt: skip
    values = [event.at.isoformat() if n == "at" else getattr(event, n) for n in names]
    canonical = json.dumps(values, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256((event.prev_hash + canonical).encode()).hexdigest()


def rehash_from(*, chain: int, seq: int, downgrade: bool = False) -> None:
    """Recompute the hashes of links `seq` onwards with plain SHA-256, and the head after
    them, so that every link again carries its predecessor's hash. `downgrade` also marks
    the links as written before keyed hashing, which is what such a hash would claim."""
    extra_sql = ", hash_version = 1" if downgrade else ""
    prev = AuditEvent.objects.get(chain=chain, seq=seq - 1).hash if seq > 1 else "0" * 64
    for event in AuditEvent.objects.filter(chain=chain, seq__gte=seq).order_by("seq"):
        event.prev_hash = prev
        prev = plain_sha256(event=event)
        as_db_owner(
            sql=f"UPDATE core_auditevent SET prev_hash = %s, hash = %s{extra_sql} WHERE id = %s",  # noqa: S608
            params=[event.prev_hash, prev, event.pk],
        )
    as_db_owner(sql="UPDATE core_audithead SET last_hash = %s WHERE id = %s", params=[prev, chain])
