"""Writing the hash-chained audit log (ATNA: who, what, which patient, when, from where,
outcome). What a link's hash covers is in audit_hash, verifying in audit_check."""

from __future__ import annotations

import functools
import itertools
import json
import os
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .actor import Actor
from .audit_check import ChainReport, audit_verify
from .audit_hash import GENESIS, LINK_VERSION, link_digest
from .audit_vocabulary import audit_vocabulary_check
from .context import current_origin
from .models import AuditEvent, AuditHead, AuditOutcome

# Verifying lives in audit_check; callers know it from here.
__all__ = ["ChainReport", "audit_record", "audit_verify"]

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
    two commit or roll back together. `action` and `resource_type` are words an app
    registered (core/audit_vocabulary)."""
    unregistered = audit_vocabulary_check(action=action, resource_type=resource_type)
    if unregistered:
        detail = {**(detail or {}), "unregistered": unregistered}
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
    event.hash = link_digest(event=event)
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
        event.hash = link_digest(event=event)
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
        hash_version=LINK_VERSION,
    )
