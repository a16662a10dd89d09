"""What every transition does: lock the row, check the table, change, audit, add a line to
the timeline, keep the centre's care relationship, and tell the parties after commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.accounts.selectors import member_ids_with_roles
from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Conflict, NotFound
from xietong.core.events import event_emit
from xietong.core.workflow import business_number_next
from xietong.patients.grants import care_relationship_open, patient_access_end
from xietong.patients.models import CareReason

from .. import gateways
from ..access import parties_of, visible_consultations_q
from ..models import (
    LIVE_ASSIGNMENT,
    Consultation,
    ConsultationEvent,
    Status,
)
from ..workflow import ACTION_LABELS, TERMINAL, Action, Party, transition_for

# Minutes to accept and to answer, per urgency; "kind:urgency" keys override for one kind.
DEFAULT_DEADLINES: dict[str, tuple[int, int]] = {
    "emergency": (30, 120),
    "urgent": (4 * 60, 24 * 60),
    "routine": (24 * 60, 72 * 60),
}


def deadlines_minutes(*, kind: str, urgency: str) -> tuple[int, int]:
    table = {**DEFAULT_DEADLINES, **settings.XT_CONSULTATION_DEADLINES}
    return table.get(f"{kind}:{urgency}") or table[urgency]


def number_next(*, day: dt.date) -> str:
    return business_number_next(prefix="HZ", day=day)


def lock_for(*, actor: Actor, consultation: Consultation) -> Consultation:
    """The row, locked until the transaction ends and re-read, so a concurrent change is
    seen. Someone who may not see it meets NotFound, unless they saw it a moment ago and
    lost it to that change (an expert whose consultation was just cancelled): they are told."""
    locked = Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
    if locked is None:
        raise NotFound()
    if not Consultation.objects.filter(visible_consultations_q(actor), pk=locked.pk).exists():
        if locked.status != consultation.status:
            raise _changed_meanwhile(locked, None)
        raise NotFound()
    return locked


def _changed_meanwhile(locked: Consultation, action: Action | None) -> Conflict:
    if action is None:
        return Conflict(
            _("Someone acted on this consultation a moment ago: it is now %(state)s.")
            % {"state": Status(locked.status).label},
            code="changed_meanwhile",
        )
    return Conflict(
        _(
            "Someone acted on this consultation a moment ago: it is now %(state)s, "
            "so you cannot %(action)s."
        )
        % {"state": Status(locked.status).label, "action": ACTION_LABELS[action]},
        code="changed_meanwhile",
    )


@dataclass
class Step:
    """A transition in progress: who, which row (locked), and where it goes."""

    actor: Actor | None
    consultation: Consultation
    action: Action
    before: str
    after: Status
    reason: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def step_begin(*, actor: Actor, consultation: Consultation, action: Action) -> Step:
    """Call inside transaction.atomic(): locks, then checks the table for this actor."""
    seen = consultation.status
    locked = lock_for(actor=actor, consultation=consultation)
    try:
        after = transition_for(
            state=locked.status,
            action=action,
            parties=parties_of(actor, locked),
            roles=actor.roles,
        )
    except Conflict:
        if locked.status != seen:
            raise _changed_meanwhile(locked, action) from None
        raise
    return Step(actor, locked, action, locked.status, after)


def step_system(*, consultation: Consultation, action: Action) -> Step:
    """A transition the platform makes by itself, on a row already locked."""
    after = transition_for(
        state=consultation.status, action=action, parties={Party.SYSTEM}, roles=frozenset()
    )
    return Step(None, consultation, action, consultation.status, after)


_STAMPS = {
    Status.SUBMITTED: "submitted_at",
    Status.ACCEPTED: "accepted_at",
    Status.IN_PROGRESS: "started_at",
    Status.OPINION_SIGNED: "signed_at",
    Status.COMPLETED: "completed_at",
    Status.CANCELLED: "cancelled_at",
}


def step_finish(
    step: Step,
    *,
    notify: list[int],
    title: str,
    update_fields: Sequence[str] = (),
    urgent_sms: bool = False,
) -> Consultation:
    """Write the new state with the fields the service changed, audit, add the timeline
    line and tell `notify` after commit. Every transition ends here."""
    c = step.consultation
    now = timezone.now()
    fields = set(update_fields) | {"updated_at"}
    if step.after != step.before:
        c.status = step.after
        c.status_changed_at = now
        fields |= {"status", "status_changed_at"}
        stamp = _STAMPS.get(step.after)
        if stamp and getattr(c, stamp) is None:
            setattr(c, stamp, now)
            fields.add(stamp)
    c.save(update_fields=sorted(fields))
    actor = step.actor
    recipients = sorted({uid for uid in notify if not actor or uid != actor.user_id})
    audit_record(
        actor=actor,
        action=f"consultation.{step.action}",
        resource_type="Consultation",
        resource_id=c.uuid,
        patient_id=c.patient_id,
        detail={
            "number": c.number,
            "from": step.before,
            "to": c.status,
            "reason": step.reason,
            **step.detail,
        },
    )
    ConsultationEvent.objects.create(
        consultation=c,
        actor_user_id=actor.user_id if actor else None,
        actor_name=actor.username if actor else "",
        action=step.action,
        from_status=step.before,
        to_status=c.status,
        reason=step.reason,
        notified=recipients,
        at=now,
    )
    if c.status in TERMINAL and step.before not in TERMINAL:
        # The experts' access to the patient ends with the work (read-only for a while).
        patient_access_end(actor=actor, source=c.source)
    if c.status != Status.DRAFT:
        care_relationship_open(
            actor=actor,
            patient_id=c.patient_id,
            institution_id=c.centre_id,
            reason=CareReason.CONSULTATION,
            source=c.source,
        )
    event_emit(f"consultation.{step.action}", consultation=str(c.uuid), status=c.status)
    sms = urgent_sms and c.urgency == "emergency"
    url = f"/consultations/{c.uuid}/"
    body = f"{c.number}: {Status(c.status).label}"
    gateways.notify_users(
        user_ids=recipients,
        kind=f"consultation.{step.action}",
        title=title,
        body=body,
        url=url,
        sms=sms,
        subject_id=c.uuid,
    )
    return c


# --------------------------------------------------------------- recipients


def _members(institution_id: int, *roles: str) -> list[int]:
    return member_ids_with_roles(institution_id=institution_id, roles=roles)


def requester_ids(c: Consultation) -> list[int]:
    return [c.requesting_user_id]


def qc_ids(c: Consultation) -> list[int]:
    return _members(c.centre_id, "qc")


def coordinator_ids(c: Consultation) -> list[int]:
    return _members(c.centre_id, "coordinator")


def expert_ids(c: Consultation) -> list[int]:
    return [
        uid
        for uid in c.assignments.filter(status__in=LIVE_ASSIGNMENT).values_list(
            "expert__practitioner__user__id", flat=True
        )
        if uid is not None
    ]
