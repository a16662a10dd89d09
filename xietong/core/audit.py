"""Writing and verifying the hash-chained audit log (ATNA: who, what, which patient,
when, from where, outcome)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
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


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            AuditHead.objects.create(pk=1, seq=0, last_hash=GENESIS)
    except IntegrityError:
        pass  # another writer created it first
    return AuditHead.objects.select_for_update().get(pk=1)


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
    origin = current_origin()
    with transaction.atomic():
        head = _locked_head()
        event = AuditEvent(
            seq=head.seq + 1,
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
            prev_hash=head.last_hash,
        )
        event.hash = _digest(head.last_hash, _hashed_values(event))
        event.save(force_insert=True)
        head.seq = event.seq
        head.last_hash = event.hash
        head.save(update_fields=["seq", "last_hash"])
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def audit_verify(*, batch: int = 5000) -> ChainReport:
    """Walk the chain from the first link and name the first one that does not hold."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")[:batch])
        if not rows:
            break
        for event in rows:
            if event.seq != expected_seq:
                return ChainReport(checked, expected_seq, f"link {expected_seq} is missing")
            if event.prev_hash != expected_prev:
                return ChainReport(checked, event.seq, "previous hash does not match")
            if _digest(event.prev_hash, _hashed_values(event)) != event.hash:
                return ChainReport(checked, event.seq, "content does not match its hash")
            expected_prev = event.hash
            expected_seq += 1
            checked += 1
            last_seq = event.seq
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.seq != last_seq:
        return ChainReport(checked, last_seq + 1, f"links after {last_seq} are missing")
    return ChainReport(checked)
