"""What every transition does: lock the row, check the table, change, audit, add a line to
the timeline, and tell the parties (after commit, through the outbox)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Conflict, NotFound
from xietong.core.events import event_emit
from xietong.core.workflow import business_number_next
from xietong.patients.grants import care_relationship_open
from xietong.patients.models import CareReason

from ..access import parties_of, visible_referrals_q
from ..models import Referral, ReferralEvent, Status
from ..notify import staff_tell
from ..workflow import ACTION_LABELS, Action, transition_for


def number_next(*, day: dt.date) -> str:
    return business_number_next(prefix="ZZ", day=day)


def care_keep(*, actor: Actor, referral: Referral, institution_id: int) -> None:
    """The institutions taking part see the patient's shared records."""
    care_relationship_open(
        actor=actor,
        patient_id=referral.patient_id,
        institution_id=institution_id,
        reason=CareReason.REFERRAL,
        source=referral.source,
    )


def lock_for(*, actor: Actor, referral: Referral) -> Referral:
    """The row, locked until the transaction ends and re-read, so a concurrent change is
    seen. Someone who may not see it meets NotFound."""
    locked = (
        Referral.objects.select_for_update()
        .filter(visible_referrals_q(actor), pk=referral.pk)
        .first()
    )
    if locked is None:
        raise NotFound()
    return locked


@dataclass
class Step:
    actor: Actor | None
    referral: Referral
    action: Action
    before: str
    after: Status
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def step_begin(*, actor: Actor, referral: Referral, action: Action) -> Step:
    """Call inside transaction.atomic(): locks, then checks the table for this actor."""
    seen = referral.status
    locked = lock_for(actor=actor, referral=referral)
    try:
        after = transition_for(
            state=locked.status,
            action=action,
            parties=parties_of(actor, locked),
            roles=actor.roles,
        )
    except Conflict:
        if locked.status != seen:
            raise Conflict(
                _(
                    "Someone acted on this referral a moment ago: it is now %(state)s, "
                    "so you cannot %(action)s."
                )
                % {"state": Status(locked.status).label, "action": ACTION_LABELS[action]},
                code="changed_meanwhile",
            ) from None
        raise
    return Step(actor, locked, action, locked.status, after)


_STAMPS = {
    Status.ACCEPTED: "accepted_at",
    Status.ARRIVED: "arrived_at",
    Status.TREATED: "treated_at",
    Status.DOWN_REQUESTED: "down_requested_at",
    Status.FOLLOW_UP: "down_accepted_at",
    Status.CLOSED: "closed_at",
}


def step_finish(
    step: Step,
    *,
    notify: Sequence[int] = (),
    title: str = "",
    update_fields: Sequence[str] = (),
    sms: bool = False,
) -> Referral:
    """Write the new state with the fields the service changed, audit, add the timeline
    line and tell `notify`. Every transition ends here."""
    r = step.referral
    now = timezone.now()
    fields = set(update_fields) | {"updated_at"}
    if step.after != step.before:
        r.status = step.after
        r.status_changed_at = now
        fields |= {"status", "status_changed_at"}
        stamp = _STAMPS.get(step.after)
        if stamp:
            setattr(r, stamp, now)
            fields.add(stamp)
    r.save(update_fields=sorted(fields))
    actor = step.actor
    audit_record(
        actor=actor,
        action=f"referral.{step.action}",
        resource_type="Referral",
        resource_id=r.uuid,
        patient_id=r.patient_id,
        detail={
            "number": r.number,
            "from": step.before,
            "to": r.status,
            "note": step.note,
            **step.detail,
        },
    )
    timeline_add(r, actor=actor, action=str(step.action), before=step.before, note=step.note)
    event_emit(f"referral.{step.action}", referral=str(r.uuid), status=r.status)
    recipients = sorted({uid for uid in notify if not actor or uid != actor.user_id})
    staff_tell(
        user_ids=recipients,
        kind=f"referral.{step.action}",
        title=title or f"{r.number}: {Status(r.status).label}",
        r=r,
        sms=sms,
    )
    return r


def timeline_add(
    r: Referral, *, actor: Actor | None, action: str, before: str = "", note: str = ""
) -> ReferralEvent:
    return ReferralEvent.objects.create(
        referral=r,
        actor_user_id=actor.user_id if actor else None,
        actor_name=actor.username if actor else "",
        institution_name=actor.institution_name if actor else "",
        action=action,
        from_status=before,
        to_status=r.status,
        note=note,
        at=timezone.now(),
    )
