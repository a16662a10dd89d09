"""The consultation on the workflow engine (core/workflow, ADR 14): its table's wiring —
the parties, the visibility, the timeline line, who hears of a step and what a change opens
or ends — and the recipients the services name."""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import AbstractContextManager
from typing import NoReturn
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from xietong.accounts.selectors import member_ids_with_roles
from xietong.core.actor import Actor
from xietong.core.keys import uuid_or_none
from xietong.core.workflow import Machine, Step, business_number_next
from xietong.notifications.services import notify
from xietong.patients.choices import CareReason
from xietong.patients.grants import care_relationship_open, patient_access_end

from ..access import (
    assignment_user_id,
    assignments_carry,
    assignments_of,
    my_assignment_status,
    parties_of,
    visible_consultations_q,
)
from ..models import (
    LIVE_ASSIGNMENT,
    AssignmentStatus,
    Consultation,
    ConsultationEvent,
    Kind,
    Mode,
    Status,
    Urgency,
)
from ..selectors import consultation_refused, consultation_rows
from ..workflow import ACTION_LABELS, TABLE, TERMINAL, Action

log = logging.getLogger(__name__)

# Minutes to accept and to answer, per urgency; "kind:urgency" keys override for one kind.
DEFAULT_DEADLINES: dict[str, tuple[int, int]] = {
    "emergency": (30, 120),
    "urgent": (4 * 60, 24 * 60),
    "routine": (24 * 60, 72 * 60),
}


def deadlines_table() -> dict[str, tuple[int, int]]:
    return {**DEFAULT_DEADLINES, **settings.XT_CONSULTATION_DEADLINES}


def deadlines_minutes(*, kind: str, urgency: str) -> tuple[int, int]:
    table = deadlines_table()
    return table.get(f"{kind}:{urgency}") or table[urgency]


def number_next(*, day: dt.date) -> str:
    return business_number_next(prefix="HZ", day=day)


def _timeline(step: Step[Consultation], recipients: list[int]) -> None:
    actor = step.actor
    ConsultationEvent.objects.create(
        consultation=step.obj,
        actor_user_id=actor.user_id if actor else None,
        actor_name=actor.shown_name if actor else "",
        action=step.action,
        from_status=step.before,
        to_status=step.after,
        reason=step.reason,
        notified=recipients,
        at=step.at,
    )


def _tell(
    step: Step[Consultation], recipients: list[int], title: str | Promise, urgent: bool
) -> None:
    """In the app (and by SMS when urgent and an emergency). The rows commit with the step;
    a failing delivery is rolled back alone (a savepoint) and never undoes the step."""
    c = step.obj
    try:
        with transaction.atomic():
            notify(
                user_ids=recipients,
                kind=f"consultation.{step.action}",
                title=title,
                body=format_lazy("{}: {}", c.number, Status(c.status).label),
                url=f"/consultations/{c.uuid}/",
                sms=urgent and c.urgency == Urgency.EMERGENCY,
                subject_type="consultation",
                subject_id=c.uuid,
            )
    except Exception:
        log.exception("notification consultation.%s failed", step.action)


def _on_change(step: Step[Consultation]) -> None:
    c = step.obj
    if step.after in TERMINAL and step.before not in TERMINAL:
        # The experts' access to the patient ends with the work (read-only for a while).
        patient_access_end(actor=step.actor, source=c.source)
    if step.after == Status.SUBMITTED:
        # The centre receives the request, and with it the patient's shared data.
        care_relationship_open(
            actor=step.actor,
            patient=c.patient,
            institution_id=c.centre_id,
            reason=CareReason.CONSULTATION,
            source=c.source,
        )


_ASKED = (Action.EXPERT_ACCEPT, Action.EXPERT_DECLINE)
_OPINION = (
    Action.OPINION_SAVE,
    Action.OPINION_PART_SIGN,
    Action.OPINION_SIGN,
    Action.OPINION_CORRECT,
)


def _fits(action: str, c: Consultation, actor: Actor) -> bool:
    """What the table cannot say: only a real-time consultation is booked; an expert is
    asked until they answer and writes once they accepted; an MDT's experts sign parts and
    its lead the summary."""
    if action in (Action.SCHEDULE, Action.RESCHEDULE):
        return c.mode == Mode.REALTIME
    if action in _ASKED:
        return my_assignment_status(actor, c) == AssignmentStatus.PROPOSED
    if action in _OPINION:
        if my_assignment_status(actor, c) != AssignmentStatus.ACCEPTED:
            return False
        if action == Action.OPINION_PART_SIGN:
            return c.kind == Kind.MDT
    return True


MACHINE: Machine[Consultation] = Machine(
    name="consultation",
    noun=gettext_lazy("consultation"),
    model=Consultation,
    states=Status,
    table=TABLE,
    labels=ACTION_LABELS,
    terminal=TERMINAL,
    parties=parties_of,
    visible=visible_consultations_q,
    timeline=_timeline,
    tell=_tell,
    resource_type="Consultation",
    stamps={
        Status.SUBMITTED: "submitted_at",
        Status.ACCEPTED: "accepted_at",
        Status.IN_PROGRESS: "started_at",
        Status.OPINION_SIGNED: "signed_at",
        Status.COMPLETED: "completed_at",
        Status.CANCELLED: "cancelled_at",
    },
    fits=_fits,
    on_change=_on_change,
    carry=assignments_carry,
    # The board of that centre changes (consumers.py); the requester's gateway may take
    # the signed opinion (fhir_push.py).
    event_fields=("centre_id", "requesting_institution_id"),
    rows_of=lambda key: consultation_rows(consultation_uuid=key),
    visible_reads=("institution_id", "user_id"),  # visible_consultations_q
)


def consultation_held(
    *, actor: Actor, consultation_uuid: UUID | str
) -> AbstractContextManager[Consultation]:
    """For a request that changes a consultation: the row read once with what the answer
    shows and locked for the request's transaction (the block); the step takes it as it is.
    Missing or not visible: the refusal on record, then NotFound."""

    def refused(found: Consultation | None) -> NoReturn:
        consultation_refused(actor=actor, consultation_uuid=consultation_uuid, found=found)

    return MACHINE.held_for_step(actor=actor, key=uuid_or_none(consultation_uuid), refused=refused)


def consultation_actions(*, actor: Actor, consultation: Consultation) -> list[Action]:
    """What this actor may do to this consultation now: the API, the pages, the rows and
    the templates all read this."""
    return [Action(a) for a in MACHINE.actions_for(actor=actor, obj=consultation)]


# --------------------------------------------------------------- recipients


def requester_ids(c: Consultation) -> list[int]:
    return [c.requesting_user_id]


def qc_ids(c: Consultation) -> list[int]:
    return member_ids_with_roles(institution_id=c.centre_id, roles=("qc",))


def coordinator_ids(c: Consultation) -> list[int]:
    return member_ids_with_roles(institution_id=c.centre_id, roles=("coordinator",))


def expert_ids(c: Consultation) -> list[int]:
    return [
        uid
        for a in assignments_of(c)
        if a.status in LIVE_ASSIGNMENT and (uid := assignment_user_id(a)) is not None
    ]
