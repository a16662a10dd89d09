"""Writing the hash-chained audit log (ATNA: who, what, which patient, when, from where,
outcome). What a link's hash covers is in audit_hash, verifying in audit_check."""

from __future__ import annotations

import functools
import itertools
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
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
__all__ = ["ChainReport", "audit_batch", "audit_record", "audit_verify"]

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
    pending: list[AuditEvent] | None = getattr(connection, "xt_audit_pending", None)
    if pending is not None:
        pending.append(event)
        return event
    _events_append([event])
    return event


@contextmanager
def audit_batch() -> Iterator[None]:
    """The events recorded inside the block are appended together when it ends, in the
    order they were recorded: one turn of the chain's head for all of them instead of one
    each (a workflow step and the grant it opens). Use it inside the transaction of the
    writes, and around audited writes only where an error leaves the block (an error
    caught inside it would keep the events of a write rolled back to a savepoint). A block
    inside another joins the outer one; an error discards the block's events with its
    transaction."""
    if getattr(connection, "xt_audit_pending", None) is not None:
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("audit_batch() belongs inside the transaction of its writes")
    pending: list[AuditEvent] = []
    connection.xt_audit_pending = pending  # type: ignore[attr-defined]
    try:
        yield
    finally:
        connection.xt_audit_pending = None  # type: ignore[attr-defined]
    if pending:
        _events_append(pending)


def _events_append(events: list[AuditEvent]) -> None:
    chain = _chain_of_this_connection()
    # No savepoint: a failed audit append must fail the write it describes, not be skipped.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            _append_postgresql(chain, events)
        else:
            _append(chain, events)


def _link(chain: int, events: list[AuditEvent], seq: int, last_hash: str) -> str:
    """Places the events after link `seq` (whose hash is `last_hash`); returns the new head."""
    for event in events:
        seq += 1
        event.chain, event.seq, event.prev_hash = chain, seq, last_hash
        event.hash = last_hash = link_digest(event=event)
    return last_hash


def _append(chain: int, events: list[AuditEvent]) -> None:
    head = _locked_head(chain)
    head.last_hash = _link(chain, events, head.seq, head.last_hash)
    head.seq += len(events)
    AuditEvent.objects.bulk_create(events)
    head.save(update_fields=["seq", "last_hash"])


@functools.cache
def _postgresql_statements(count: int) -> tuple[str, str, list[Any]]:
    # Only the models' own table and column names go into the text, quoted; every value is
    # a parameter.
    q = connection.ops.quote_name
    heads, events = q(AuditHead._meta.db_table), q(AuditEvent._meta.db_table)
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(q(f.column) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    take = f"UPDATE {heads} SET seq = seq + %s WHERE id = %s RETURNING seq, last_hash"  # noqa: S608
    store = (
        f"WITH link AS (INSERT INTO {events} ({columns}) VALUES {', '.join([row] * count)} "  # noqa: S608
        "RETURNING id) "
        f"UPDATE {heads} SET last_hash = %s WHERE id = %s "
        "RETURNING (SELECT array_agg(id ORDER BY id) FROM link)"
    )
    return take, store, fields


def _append_postgresql(chain: int, events: list[AuditEvent]) -> None:
    """The same append in two round trips however many events: taking the head's lock and
    the next numbers is one UPDATE, storing the links and moving the head another. Every
    audited write pays for this, so it counts."""
    take, store, fields = _postgresql_statements(len(events))
    with connection.cursor() as cursor:
        cursor.execute(take, [len(events), chain])
        taken = cursor.fetchone()
        if taken is None:  # the chain's first link
            _locked_head(chain)
            cursor.execute(take, [len(events), chain])
            taken = cursor.fetchone()
        last_hash = _link(chain, events, taken[0] - len(events), taken[1])
        values = [
            f.get_db_prep_save(getattr(event, f.attname), connection)
            for event in events
            for f in fields
        ]
        cursor.execute(store, [*values, last_hash, chain])
        # One statement numbers the rows in the order they are listed.
        for event, pk in zip(events, cursor.fetchone()[0], strict=True):
            event.pk = pk
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
