"""After arrival: the examination report, the treatment summary, the down-referral with its
rehabilitation plan, follow-up visits against the plan, and closing the loop."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.core.actor import Actor
from xietong.core.errors import Conflict, Message, ValidationFailed
from xietong.records.services import document_upload

from ..models import FollowUp, Kind, Outcome, Referral, RehabilitationPlan, Status
from ..notify import down_ids, patient_sms, receiver_doctor_ids
from ..workflow import Action
from ._bookings import booking_done
from ._core import MACHINE, care_keep, held
from .requests import referral_link_exists

if TYPE_CHECKING:
    from xietong.directory.models import Institution

MAX_FOLLOW_UPS = 24
MAX_MEDICATIONS = 30


def _text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed.single(field, _("This field is required."))
    if len(value) > limit:
        raise ValidationFailed.single(field, _("At most %(n)d characters.") % {"n": limit})
    return value


def referral_report_upload(
    *, actor: Actor, referral: Referral, file: Any, title: str, findings: str = ""
) -> Referral:
    """The examination report, filed to the patient's record; the sender sees it and decides."""
    findings = _text(findings, "findings", 4000, required=False)
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=referral, action=Action.REPORT)
        r = held(step, referral)
        if r.kind != Kind.EXAMINATION:
            raise Conflict(
                _("Only an examination referral has an examination report."), code="wrong_kind"
            )
        document = document_upload(
            actor=actor,
            patient=r.patient,
            kind="exam_report",
            title=title,
            file=file,
            clinical_date=timezone.localdate(),
            source=r.source,
        )
        booking_done(actor=actor, r=r)
        r.report_document_uuid = document.uuid
        r.report_summary = findings
        r = MACHINE.step_finish(
            step,
            notify=[r.sending_user_id],
            title=gettext_lazy("The examination report of your referral is available"),
            update_fields=["report_document_uuid", "report_summary"],
        )
    return r


def referral_treatment_summary(
    *, actor: Actor, referral: Referral, summary: str, discharge_diagnosis: str
) -> Referral:
    summary = _text(summary, "summary", 8000)
    discharge_diagnosis = _text(discharge_diagnosis, "discharge_diagnosis", 200)
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=referral, action=Action.TREATMENT_SUMMARY)
        r = held(step, referral)
        if r.kind == Kind.EXAMINATION:
            raise Conflict(
                _("An examination referral ends with its report, not a treatment summary."),
                code="wrong_kind",
            )
        booking_done(actor=actor, r=r)
        r.treatment_summary = summary
        r.discharge_diagnosis = discharge_diagnosis
        r = MACHINE.step_finish(
            step,
            notify=[r.sending_user_id],
            title=gettext_lazy("The treatment of your referred patient is finished"),
            update_fields=["treatment_summary", "discharge_diagnosis"],
        )
    return r


def _medications(values: Sequence[Any]) -> tuple[list[dict[str, str]], list[Message]]:
    cleaned: list[dict[str, str]] = []
    if len(values) > MAX_MEDICATIONS:
        return [], [_("At most %(n)d medications.") % {"n": MAX_MEDICATIONS}]
    for value in values:
        item = value if isinstance(value, dict) else {}
        row = {k: str(item.get(k) or "").strip()[:100] for k in ("name", "dose", "frequency")}
        if not row["name"]:
            return [], [_("Every medication needs its name.")]
        cleaned.append(row)
    return cleaned, []


def _dates(values: Sequence[Any]) -> tuple[list[dt.date], list[Message]]:
    today = timezone.localdate()
    dates: list[dt.date] = []
    for value in values:
        try:
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            return [], [_("Enter dates as YYYY-MM-DD.")]
        if day < today:
            return [], [_("Follow-up dates cannot lie in the past.")]
        dates.append(day)
    if not dates:
        return [], [_("Plan at least one follow-up date.")]
    if len(dates) > MAX_FOLLOW_UPS:
        return [], [_("At most %(n)d follow-up dates.") % {"n": MAX_FOLLOW_UPS}]
    return sorted(set(dates)), []


def referral_down_refer(
    *,
    actor: Actor,
    referral: Referral,
    down_institution: Institution | None,
    instructions: str,
    medications: Sequence[Any] = (),
    follow_up_dates: Sequence[Any] = (),
) -> Referral:
    """Back down to the original (or another lower-level) institution with a plan."""
    errors: dict[str, list[Message]] = {}
    instructions = (instructions or "").strip()
    if not instructions:
        errors["instructions"] = [_("This field is required.")]
    elif len(instructions) > 8000:
        errors["instructions"] = [_("At most %(n)d characters.") % {"n": 8000}]
    meds, problems = _medications(list(medications))
    if problems:
        errors["medications"] = problems
    dates, problems = _dates(list(follow_up_dates))
    if problems:
        errors["follow_up_dates"] = problems
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=referral, action=Action.DOWN_REFER)
        r = held(step, referral)
        receiving = r.receiving_institution
        if down_institution is None or not down_institution.active:
            errors["down_institution"] = [_("Choose the institution to refer back to.")]
        elif down_institution.rank >= receiving.rank:
            errors["down_institution"] = [
                _("A down-referral goes to a lower level: %(name)s is not below your institution.")
                % {"name": down_institution.name}
            ]
        elif down_institution.pk != r.sending_institution_id and not referral_link_exists(
            provider_id=receiving.pk, client_id=down_institution.pk
        ):
            errors["down_institution"] = [
                _("Your institution has no referral collaboration with %(name)s.")
                % {"name": down_institution.name}
            ]
        if errors:
            raise ValidationFailed(errors)
        assert down_institution is not None
        if r.down_requested_at is not None:
            # Referred down before: a decline removes that plan, but make sure of it. On a
            # first down-referral there is nothing to remove.
            RehabilitationPlan.objects.filter(referral=r).delete()
            r.follow_ups.all().delete()
        RehabilitationPlan.objects.create(
            referral=r, instructions=instructions, medications=meds, written_by_id=actor.user_id
        )
        follow_ups = FollowUp.objects.bulk_create([FollowUp(referral=r, due_date=d) for d in dates])
        # The answer shows the plan's follow-ups: these, in their order, not read back.
        follow_ups.sort(key=lambda f: (f.due_date, f.pk))
        written = FollowUp.objects.filter(referral=r)
        written._result_cache = follow_ups  # as prefetch_related leaves it
        written._prefetch_done = True  # type: ignore[attr-defined]
        r.__dict__.setdefault("_prefetched_objects_cache", {})["follow_ups"] = written
        r.down_institution = down_institution
        r.down_decline_reason = ""
        care_keep(actor=actor, referral=r, institution_id=down_institution.pk)
        step.reason = down_institution.name
        r = MACHINE.step_finish(
            step,
            notify=[*down_ids(r), r.sending_user_id],
            title=gettext_lazy("A patient is referred back to you with a rehabilitation plan"),
            update_fields=["down_institution", "down_decline_reason"],
        )
    return r


def referral_down_accept(*, actor: Actor, referral: Referral) -> Referral:
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=referral, action=Action.DOWN_ACCEPT)
        r = held(step, referral)
        r = MACHINE.step_finish(
            step,
            notify=[*receiver_doctor_ids(r), r.sending_user_id],
            title=gettext_lazy("The down-referral was accepted"),
        )
        first = r.follow_ups.order_by("due_date").first()
        if first is not None:
            patient_sms(
                r=r,
                text=_(
                    "Referral %(number)s: your first follow-up visit at %(where)s is on %(day)s."
                )
                % {"number": r.number, "where": r.down_institution, "day": first.due_date},
            )
    return r


def referral_down_decline(*, actor: Actor, referral: Referral, reason: str) -> Referral:
    """Back to the treating doctor, who may refer to another institution or close."""
    reason = _text(reason, "reason", 2000)
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=referral, action=Action.DOWN_DECLINE)
        r = held(step, referral)
        step.reason = reason
        r.down_decline_reason = reason
        r.down_institution = None
        r.follow_ups.all().delete()
        RehabilitationPlan.objects.filter(referral=r).delete()
        r = MACHINE.step_finish(
            step,
            notify=receiver_doctor_ids(r),
            title=gettext_lazy("The down-referral was declined"),
            update_fields=["down_decline_reason", "down_institution"],
        )
    return r


def referral_follow_up_record(
    *,
    actor: Actor,
    referral: Referral,
    follow_up_id: int,
    visited_on: dt.date | None,
    note: str,
) -> Referral:
    note = _text(note, "note", 4000)
    visited_on = visited_on or timezone.localdate()
    if visited_on > timezone.localdate():
        raise ValidationFailed.single("visited_on", _("A visit cannot be recorded in advance."))
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=referral, action=Action.FOLLOW_UP)
        r = held(step, referral)
        follow_up = r.follow_ups.filter(pk=follow_up_id).first()
        if follow_up is None:
            raise ValidationFailed.single("follow_up", _("Choose a follow-up of this plan."))
        if follow_up.visited_on is not None:
            raise Conflict(_("This follow-up visit is already recorded."), code="recorded")
        follow_up.visited_on = visited_on
        follow_up.note = note
        follow_up.recorded_by_id = actor.user_id
        follow_up.save(update_fields=["visited_on", "note", "recorded_by"])
        step.reason = note
        step.detail = {"due": follow_up.due_date.isoformat()}
        r = MACHINE.step_finish(
            step, notify=[r.sending_user_id], title=gettext_lazy("A follow-up visit was recorded")
        )
    return r


# Outcomes that close from each state; the ones in NEEDS_NOTE need a written reason.
CLOSE_OUTCOMES = {
    Status.REPORTED: (Outcome.TREATED_LOCALLY, Outcome.OTHER),
    Status.TREATED: (Outcome.NO_DOWN_REFERRAL, Outcome.OTHER),
    Status.FOLLOW_UP: (Outcome.RECOVERED, Outcome.OTHER),
}
NEEDS_NOTE = (Outcome.NO_DOWN_REFERRAL, Outcome.OTHER)


def referral_close(*, actor: Actor, referral: Referral, outcome: str, note: str = "") -> Referral:
    """The loop closes with its outcome (or the reason why there is no down-referral)."""
    note = _text(note, "note", 4000, required=False)
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=referral, action=Action.CLOSE)
        r = held(step, referral)
        allowed = CLOSE_OUTCOMES.get(Status(r.status), ())
        errors: dict[str, list[Message]] = {}
        if outcome not in allowed:
            errors["outcome"] = [_("Select a valid choice.")]
        elif outcome in NEEDS_NOTE and not note:
            errors["note"] = [_("Write the reason.")]
        if errors:
            raise ValidationFailed(errors)
        # No booking_done here: a referral closes from reported, treated or follow-up, and
        # the report or the treatment summary has fulfilled its booking already.
        r.outcome = outcome
        r.outcome_note = note
        step.reason = note
        step.detail = {"outcome": outcome}
        parties = [r.sending_user_id, *receiver_doctor_ids(r), *down_ids(r)]
        r = MACHINE.step_finish(
            step,
            notify=parties,
            title=gettext_lazy("A referral was closed"),
            update_fields=["outcome", "outcome_note"],
        )
    return r
