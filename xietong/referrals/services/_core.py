"""The referral on the workflow engine (core/workflow, ADR 14): its table's wiring — the
parties, the visibility, the timeline line and who hears of a step — and the care
relationship a referral opens for the institutions taking part."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import NoReturn
from uuid import UUID

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from xietong.core.actor import Actor
from xietong.core.keys import uuid_or_none
from xietong.core.workflow import Machine, Step
from xietong.patients.choices import CareReason
from xietong.patients.grants import care_relationship_open

from ..access import parties_of, visible_referrals_q
from ..models import Referral, ReferralEvent, Status
from ..notify import staff_tell
from ..selectors import referral_as_changed, referral_refused, referral_rows
from ..workflow import ACTION_LABELS, TABLE, TERMINAL, fits

# Referral numbers: ZZ-YYYYMMDD-NNNN from the one business-number service.
NUMBER_PREFIX = "ZZ"


def timeline_add(
    r: Referral, *, actor: Actor | None, action: str, before: str = "", note: str = ""
) -> ReferralEvent:
    return ReferralEvent.objects.create(
        referral=r,
        actor_user_id=actor.user_id if actor else None,
        actor_name=actor.shown_name if actor else "",
        institution_name=actor.institution_name if actor else "",
        action=action,
        from_status=before,
        to_status=r.status,
        note=note,
        at=timezone.now(),
    )


def _timeline(step: Step[Referral], recipients: list[int]) -> None:
    timeline_add(
        step.obj, actor=step.actor, action=str(step.action), before=step.before, note=step.reason
    )


def _tell(step: Step[Referral], recipients: list[int], title: str | Promise, urgent: bool) -> None:
    r = step.obj
    staff_tell(
        user_ids=recipients,
        kind=f"referral.{step.action}",
        title=title or format_lazy("{}: {}", r.number, Status(r.status).label),
        r=r,
        sms=urgent,
    )


MACHINE: Machine[Referral] = Machine(
    name="referral",
    noun=gettext_lazy("referral"),
    model=Referral,
    states=Status,
    table=TABLE,
    labels={str(action): label for action, label in ACTION_LABELS.items()},
    terminal=TERMINAL,
    parties=parties_of,
    visible=visible_referrals_q,
    timeline=_timeline,
    tell=_tell,
    resource_type="Referral",
    # Entering a state again (treated after a declined down-referral) stamps it again.
    stamps={
        Status.ACCEPTED: "accepted_at",
        Status.ARRIVED: "arrived_at",
        Status.TREATED: "treated_at",
        Status.DOWN_REQUESTED: "down_requested_at",
        Status.FOLLOW_UP: "down_accepted_at",
        Status.CLOSED: "closed_at",
    },
    restamp=True,
    fits=fits,
    reason_key="note",
    rows_of=lambda key: referral_rows(referral_uuid=key),
    visible_reads=("institution_id",),  # visible_referrals_q
    # The lower institution's gateway may take the rehabilitation plan (fhir_push.py).
    event_fields=("down_institution_id",),
)


def held(step: Step[Referral], seen: Referral) -> Referral:
    """The row the step locked, with the lifelong relations (patient, institutions) the
    caller had already read: what the step tells and answers costs no second read."""
    return referral_as_changed(changed=step.obj, seen=seen)


def referral_held(*, actor: Actor, referral_uuid: UUID | str) -> AbstractContextManager[Referral]:
    """For a request that changes a referral: the row read once with what the answer shows
    and locked for the request's transaction (the block); the step takes it as it is.
    Missing or not visible: the refusal on record, then NotFound."""

    def refused(found: Referral | None) -> NoReturn:
        referral_refused(actor=actor, referral_uuid=referral_uuid, found=found)

    return MACHINE.held_for_step(actor=actor, key=uuid_or_none(referral_uuid), refused=refused)


def referral_actions(*, actor: Actor, referral: Referral) -> list[str]:
    """What this person may do to this referral now: the one answer the API, the pages and
    the templates offer."""
    return MACHINE.actions_for(actor=actor, obj=referral)


def care_keep(*, actor: Actor, referral: Referral, institution_id: int) -> None:
    """The institutions taking part see the patient's shared records."""
    care_relationship_open(
        actor=actor,
        patient=referral.patient,
        institution_id=institution_id,
        reason=CareReason.REFERRAL,
        source=referral.source,
    )
