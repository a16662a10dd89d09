"""The reading request on the workflow engine (core/workflow, ADR 14): its table's wiring —
the parties, the visibility, the timeline line and who hears of a step — and the
recipients the services name."""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import AbstractContextManager
from typing import NoReturn
from uuid import UUID

from django.db import transaction
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from xietong.accounts.selectors import member_ids_with_roles
from xietong.core.actor import Actor
from xietong.core.errors import Conflict
from xietong.core.workflow import Machine, Step, business_number_next
from xietong.notifications.services import notify

from .access import READER_ROLES, parties_of, senior_ids_among, visible_readings_q
from .models import ImagingReport, ReadingEvent, ReadingRequest, Status, Urgency
from .selectors import reading_refused, reading_rows
from .workflow import ACTION_LABELS, TABLE, TERMINAL, Action

log = logging.getLogger(__name__)


def number_next(*, day: dt.date) -> str:
    return business_number_next(prefix="YX", day=day)


def _timeline(step: Step[ReadingRequest], recipients: list[int]) -> None:
    actor = step.actor
    ReadingEvent.objects.create(
        reading=step.obj,
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
    step: Step[ReadingRequest], recipients: list[int], title: str | Promise, urgent: bool
) -> None:
    """In the app (and by SMS when urgent: a critical finding, an emergency). The rows
    commit with the step; a failing delivery is rolled back alone and never undoes it."""
    r = step.obj
    try:
        with transaction.atomic():
            notify(
                user_ids=recipients,
                kind=f"imaging_reading.{step.action}",
                title=title,
                body=format_lazy("{}: {}", r.number, Status(r.status).label),
                url=f"/imaging/readings/{r.uuid}/",
                sms=urgent,
                subject_type="imaging_reading",
                subject_id=r.uuid,
            )
    except Exception:
        log.exception("notification imaging_reading.%s failed", step.action)


_CLAIMER = (Action.RELEASE, Action.REPORT_SAVE, Action.PRELIMINARY)
_REVIEW = (Action.SIGN, Action.RETURN)


def _fits(action: str, r: ReadingRequest, actor: Actor) -> bool:
    """What the table cannot say: the reader who claimed a study writes its report (and
    releases it); a second person reviews it (审核); a critical finding is acknowledged once."""
    if action in _CLAIMER:
        return r.reader_id == actor.user_id
    if action in _REVIEW:
        return r.reader_id != actor.user_id
    if action == Action.CRITICAL_ACK:
        return r.critical and r.critical_acknowledged_at is None
    return True


_UNFIT = {
    Action.RELEASE: gettext_lazy("Another reader claimed this study."),
    Action.REPORT_SAVE: gettext_lazy("Another reader claimed this study."),
    Action.PRELIMINARY: gettext_lazy("Another reader claimed this study."),
    Action.SIGN: gettext_lazy("You wrote this report: another senior reviews it."),
    Action.RETURN: gettext_lazy("You wrote this report: another senior reviews it."),
    Action.CRITICAL_ACK: gettext_lazy("There is no critical finding waiting to be acknowledged."),
}


def step_fits(step: Step[ReadingRequest]) -> Step[ReadingRequest]:
    """The services' refusal of what the table allows but does not fit (`_fits`): said as a
    Conflict, nothing changed."""
    if step.actor is not None and not _fits(step.action, step.obj, step.actor):
        raise Conflict(str(_UNFIT.get(Action(step.action), "")), code="not_yours")
    return step


MACHINE: Machine[ReadingRequest] = Machine(
    name="imaging_reading",
    noun=gettext_lazy("reading request"),
    model=ReadingRequest,
    states=Status,
    table=TABLE,
    labels=ACTION_LABELS,
    terminal=TERMINAL,
    parties=parties_of,
    visible=visible_readings_q,
    timeline=_timeline,
    tell=_tell,
    resource_type="ImagingReading",
    stamps={
        Status.READING: "claimed_at",
        Status.PRELIMINARY: "preliminary_at",
        Status.FINAL: "final_at",
        Status.CANCELLED: "cancelled_at",
    },
    restamp=True,
    fits=_fits,
    # That centre's worklist changes (consumers.py); the requester's gateway may take the
    # signed report (fhir_push.py).
    event_fields=("centre_id", "requesting_institution_id"),
)


def reading_held(
    *, actor: Actor, reading_uuid: UUID | str
) -> AbstractContextManager[ReadingRequest]:
    """For a request that changes a reading request: the row read once and locked for the
    request's transaction. Missing or not visible: the refusal on record, then NotFound."""

    def refused(found: ReadingRequest | None) -> NoReturn:
        reading_refused(actor=actor, reading_uuid=reading_uuid, found=found)

    return MACHINE.held_for_step(
        actor=actor, rows=reading_rows(reading_uuid=reading_uuid), refused=refused
    )


def reading_actions(*, actor: Actor, reading: ReadingRequest) -> list[Action]:
    """What this actor may do to this request now: the API, the pages and the rows read this."""
    return [Action(a) for a in MACHINE.actions_for(actor=actor, obj=reading)]


# --------------------------------------------------------------- recipients


def requester_ids(r: ReadingRequest) -> list[int]:
    return [r.requesting_user_id]


def reader_ids(r: ReadingRequest) -> list[int]:
    """The centre's readers (a new study to read, told to them all)."""
    return member_ids_with_roles(institution_id=r.centre_id, roles=tuple(READER_ROLES))


def claimer_ids(r: ReadingRequest) -> list[int]:
    return [r.reader_id] if r.reader_id else []


def created_tell(*, actor: Actor, reading: ReadingRequest, recipients: list[int]) -> None:
    """A new request is not a transition, but its readers hear of it the same way (and by
    SMS when it is an emergency)."""
    step = Step(MACHINE, actor, reading, "create", "", Status.REQUESTED)
    told = [uid for uid in recipients if uid != actor.user_id]
    if told:
        _tell(step, told, gettext_lazy("New study to read"), reading.urgency == Urgency.EMERGENCY)


def senior_ids(r: ReadingRequest) -> list[int]:
    """The centre's seniors, who review preliminary reports."""
    return senior_ids_among(reader_ids(r), institution_id=r.centre_id)


def signer_ids(r: ReadingRequest) -> list[int]:
    """Who wrote and who signed the report (told of an acknowledged critical finding)."""
    found = {uid for uid in (r.reader_id,) if uid}
    found |= set(
        ImagingReport.objects.filter(reading=r, signed_by__isnull=False).values_list(
            "signed_by_id", flat=True
        )
    )
    return sorted(found)
