"""Writing and verifying the hash-chained audit log (ATNA: who, what, which patient,
when, from where, outcome)."""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import os
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .actor import Actor
from .context import current_origin
from .models import AuditEvent, AuditHead, AuditOutcome

GENESIS = "0" * 64

# The fields a link's hash covers, in this order.
_HASHED = (
    "seq", "at", "user_id", "username", "membership_id", "institution_id", "region_path",
    "roles", "action", "resource_type", "resource_id", "patient_id", "outcome", "ip", "detail",
)  # fmt: skip


def _digest(prev_hash: str, values: dict[str, Any]) -> str:
    canonical = json.dumps(
        [values[k] for k in _HASHED], ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _hashed_values(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "user_id": event.user_id,
        "username": event.username,
        "membership_id": event.membership_id,
        "institution_id": event.institution_id,
        "region_path": event.region_path,
        "roles": event.roles,
        "action": event.action,
        "resource_type": event.resource_type,
        "resource_id": event.resource_id,
        "patient_id": event.patient_id,
        "outcome": event.outcome,
        "ip": event.ip,
        "detail": event.detail,
    }


# Each database connection keeps to one chain, handed out in turn, so the threads and worker
# processes of a server spread over the chains, and one transaction never locks two heads (so
# no deadlock). The process id is part of the key: a forked worker inherits its parent's
# connection object and must not inherit its chain.
_next_chain = itertools.count()


def _chain_of_this_connection() -> int:
    pid = os.getpid()
    held: tuple[int, int] | None = getattr(connection, "xt_audit_chain", None)
    if held is None or held[0] != pid:
        chain = (pid + next(_next_chain)) % max(1, settings.XT_AUDIT_CHAINS) + 1
        held = (pid, chain)
        connection.xt_audit_chain = held  # type: ignore[attr-defined]
    return held[1]


def _locked_head(chain: int) -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=chain).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            AuditHead.objects.create(pk=chain, seq=0, last_hash=GENESIS)
    except IntegrityError:
        pass  # another writer created it first
    return AuditHead.objects.select_for_update().get(pk=chain)


def audit_record(
    *,
    actor: Actor | None,
    action: str,
    resource_type: str,
    resource_id: object = "",
    patient_id: int | None = None,
    outcome: int = AuditOutcome.SUCCESS,
    detail: dict[str, Any] | None = None,
    username: str = "",
) -> AuditEvent:
    """Append one event. Call it inside the transaction of the write it describes, so the
    two commit or roll back together."""
    event = _event_for(
        actor, action, resource_type, resource_id, patient_id, outcome, detail, username
    )
    chain = _chain_of_this_connection()
    # No savepoint: a failed audit append must fail the write it describes, not be skipped.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            _append_postgresql(chain, event)
        else:
            _append(chain, event)
    return event


def _append(chain: int, event: AuditEvent) -> None:
    head = _locked_head(chain)
    event.chain, event.seq, event.prev_hash = chain, head.seq + 1, head.last_hash
    event.hash = _digest(event.prev_hash, _hashed_values(event))
    event.save(force_insert=True)
    head.seq, head.last_hash = event.seq, event.hash
    head.save(update_fields=["seq", "last_hash"])


@functools.cache
def _postgresql_statements() -> tuple[str, str, list[Any]]:
    # Only the models' own table and column names go into the text, quoted; every value is
    # a parameter.
    q = connection.ops.quote_name
    heads, events = q(AuditHead._meta.db_table), q(AuditEvent._meta.db_table)
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(q(f.column) for f in fields)
    places = ", ".join(["%s"] * len(fields))
    take = f"UPDATE {heads} SET seq = seq + 1 WHERE id = %s RETURNING seq, last_hash"  # noqa: S608
    store = (
        f"WITH link AS (INSERT INTO {events} ({columns}) VALUES ({places}) RETURNING id) "  # noqa: S608
        f"UPDATE {heads} SET last_hash = %s WHERE id = %s RETURNING (SELECT id FROM link)"
    )
    return take, store, fields


def _append_postgresql(chain: int, event: AuditEvent) -> None:
    """The same append in two round trips instead of three: taking the head's lock and the
    next number is one UPDATE, storing the link and moving the head another. Every audited
    write pays for this, so it counts."""
    take, store, fields = _postgresql_statements()
    with connection.cursor() as cursor:
        cursor.execute(take, [chain])
        taken = cursor.fetchone()
        if taken is None:  # the chain's first link
            _locked_head(chain)
            cursor.execute(take, [chain])
            taken = cursor.fetchone()
        event.chain, event.seq, event.prev_hash = chain, taken[0], taken[1]
        event.hash = _digest(event.prev_hash, _hashed_values(event))
        values = [f.get_db_prep_save(getattr(event, f.attname), connection) for f in fields]
        cursor.execute(store, [*values, event.hash, chain])
        event.pk = cursor.fetchone()[0]
    event._state.adding = False
    event._state.db = connection.alias


def _event_for(
    actor: Actor | None,
    action: str,
    resource_type: str,
    resource_id: object,
    patient_id: int | None,
    outcome: int,
    detail: dict[str, Any] | None,
    username: str,
) -> AuditEvent:
    """The event as it will be stored, before it has a place in a chain."""
    origin = current_origin()
    return AuditEvent(
        # Microseconds dropped so the value survives every database's round trip intact.
        at=timezone.now().replace(microsecond=0),
        user_id=actor.user_id if actor else None,
        username=(actor.username if actor else username)[:150],
        membership_id=actor.membership_id if actor else None,
        institution_id=actor.institution_id if actor else None,
        institution_name=(actor.institution_name if actor else "")[:200],
        region_path=actor.region_path if actor else "",
        roles=(actor.roles_label if actor else "")[:300],
        action=action,
        resource_type=resource_type,
        resource_id=str(resource_id)[:64],
        patient_id=patient_id,
        outcome=int(outcome),
        ip=origin.ip,
        user_agent=origin.user_agent,
        detail=json.loads(json.dumps(detail or {}, default=str)),
    )


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""
    chain: int | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def _chain_verify(chain: int, head: AuditHead | None, batch: int) -> ChainReport:
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    rows = AuditEvent.objects.filter(chain=chain).order_by("seq")
    while True:
        page = list(rows.filter(seq__gte=expected_seq)[:batch])
        if not page:
            break
        for event in page:
            if event.seq != expected_seq:
                return ChainReport(checked, expected_seq, f"link {expected_seq} is missing", chain)
            if event.prev_hash != expected_prev:
                return ChainReport(checked, event.seq, "previous hash does not match", chain)
            if _digest(event.prev_hash, _hashed_values(event)) != event.hash:
                return ChainReport(checked, event.seq, "content does not match its hash", chain)
            expected_prev = event.hash
            expected_seq += 1
            checked += 1
    if head is not None and head.seq != expected_seq - 1:
        return ChainReport(
            checked, expected_seq, f"links after {expected_seq - 1} are missing", chain
        )
    return ChainReport(checked)


def audit_verify(*, batch: int = 5000) -> ChainReport:
    """Walk every chain from its first link and name the first link that does not hold."""
    heads = {h.pk: h for h in AuditHead.objects.all()}
    chains = set(heads) | set(AuditEvent.objects.values_list("chain", flat=True).distinct())
    checked = 0
    for chain in sorted(chains):
        report = _chain_verify(chain, heads.get(chain), batch)
        if not report.ok:
            return ChainReport(checked + report.checked, report.broken_at, report.reason, chain)
        checked += report.checked
    return ChainReport(checked)
