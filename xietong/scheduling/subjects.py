"""What a booking is for, and who may change it.

A booking names its subject by type and UUID. Two kinds of subject exist:

* a workflow's object (a consultation, a referral). The workflow app registers its subject
  type here from AppConfig.ready(); such a booking is made, moved, cancelled and checked in
  only by that workflow, which passes `workflow=<its type>` to the booking services. Anyone
  else meets the refusal it registered, so the workflow's own state (a consultation that says
  "scheduled") never drifts from its booking.
* a bare booking, made directly by a desk for a phone caller: its subject is a patient of the
  booking institution (`PATIENT`), and the booking's patient is that same patient.

Scheduling sits below the workflow apps and never imports them; this registry is how it
learns which subject types are theirs."""

from __future__ import annotations

from dataclasses import dataclass

from xietong.core.errors import Message

# The subject type of a bare booking: the patient's UUID is its subject id.
PATIENT = "patient"


@dataclass(frozen=True)
class WorkflowSubject:
    kind: str
    # Said to whoever tries to change such a booking outside the workflow, naming where to.
    refusal: Message


_workflows: dict[str, WorkflowSubject] = {}


def workflow_subject_register(kind: str, *, refusal: Message) -> None:
    if kind == PATIENT:
        raise ValueError("the patient subject is scheduling's own")
    _workflows[kind] = WorkflowSubject(kind, refusal)


def workflow_subject_unregister(kind: str) -> None:
    """For tests that register a subject type of their own."""
    _workflows.pop(kind, None)


def workflow_subject_of(kind: str) -> WorkflowSubject | None:
    """The workflow that owns bookings of this subject type; None for a bare booking."""
    return _workflows.get(kind)


def workflow_subject_kinds() -> set[str]:
    return set(_workflows)
