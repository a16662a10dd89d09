"""Reads of a person's data are audited where they are fetched, never where they are shown.

The selector that fetches an object carrying patient data for an actor (a patient, a
document, a consultation, a referral, a chat attachment) records the read itself, and the
refusal when the object is missing or not visible (written before NotFound is raised, so
the refusal stays on record though the request fails). Views and API handlers never call
the audit: they ask the selector, saying why they fetch:

- `SHOW` (the default): the data is shown to the person; one `<resource>.read` event.
- `CHANGE`: the fetch feeds a write. The service's own event records what was done, so no
  read is recorded (a transition would otherwise log a read beside every write).

Lists that show patients record one `<resource>.search` event per page shown
(core/listing.py)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from .actor import Actor
from .audit import audit_record
from .audit_vocabulary import resource_action
from .models import AuditOutcome


class Intent(StrEnum):
    SHOW = "show"
    CHANGE = "change"


SHOW = Intent.SHOW
CHANGE = Intent.CHANGE


def read_recorded(
    *,
    actor: Actor,
    intent: Intent,
    resource_type: str,
    resource_id: object,
    patient_id: int | None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Records that the actor was shown this object (nothing for a fetch that feeds a write)."""
    if intent is Intent.CHANGE:
        return
    audit_record(
        actor=actor,
        action=resource_action(resource_type, "read"),
        resource_type=resource_type,
        resource_id=resource_id,
        patient_id=patient_id,
        detail=detail or {},
    )


def read_refused(
    *, actor: Actor, resource_type: str, resource_id: object, patient_id: int | None
) -> None:
    """Records an attempt to fetch what the actor may not see (or what does not exist).
    Call it outside any block the coming NotFound unwinds."""
    audit_record(
        actor=actor,
        action=resource_action(resource_type, "read"),
        resource_type=resource_type,
        resource_id=resource_id,
        patient_id=patient_id,
        outcome=AuditOutcome.MINOR_FAILURE,
        detail={"reason": "not visible"},
    )
