"""One referral: where the patient is now, what happened, and the actions the viewer may
take, each a small form posted to `act`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from xietong.core.actor import Actor
from xietong.core.errors import Conflict, NotFound, ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view, fetch_intent
from xietong.core.times import local_time
from xietong.directory.selectors import collaboration_clients_of
from xietong.records.selectors import documents_among_for
from xietong.scheduling.selectors import get_slot
from xietong.scheduling.services import SlotTaken

from .. import services as svc
from ..forms import CloseForm, DownReferForm, FollowUpForm, ReasonForm, ReportForm, SummaryForm
from ..models import Kind, Referral, Status
from ..pdf import referral_slip_pdf
from ..selectors import get_referral_for, timeline_of
from ..services import booked_day_ahead, referral_actions
from ..services.care import CLOSE_OUTCOMES
from ..workflow import ACTION_LABELS, Action
from .slot_calendar import REFRESH, calendar_from, picker_context, posted_values

if TYPE_CHECKING:
    from xietong.scheduling.models import Slot

# The steps of the loop, to show where the patient is: (key, label, the statuses in it).
STEPS = [
    ("referred", pgettext_lazy("referral", "Referred"), (Status.REQUESTED, Status.PROPOSED)),
    ("accepted", pgettext_lazy("referral", "Accepted"), (Status.ACCEPTED,)),
    ("arrived", pgettext_lazy("referral", "Arrived"), (Status.ARRIVED,)),
    ("care", pgettext_lazy("referral", "Report / treatment"), (Status.REPORTED, Status.TREATED)),
    ("down", pgettext_lazy("referral", "Back down"), (Status.DOWN_REQUESTED,)),
    ("follow_up", pgettext_lazy("referral", "Follow-up"), (Status.FOLLOW_UP,)),
    ("closed", pgettext_lazy("referral", "Closed"), (Status.CLOSED,)),
]
ACTION_NAMES = frozenset(a.value for a in Action)
STOPPED = (Status.DECLINED, Status.NO_SHOW, Status.CANCELLED)
# An examination referral ends with its report: it is never referred back down.
AFTER_CARE = ("down", "follow_up")


def _stopped_at(r: Referral) -> str:
    """The step a referral that ended early did not reach."""
    if r.status == Status.NO_SHOW or (r.status == Status.CANCELLED and r.accepted_at):
        return "arrived"
    return "accepted"


def _step_times(r: Referral) -> dict[str, Any]:
    return {
        "referred": r.created_at,
        "accepted": r.accepted_at or r.acknowledged_at,
        "arrived": r.arrived_at,
        "care": r.treated_at,
        "down": r.down_requested_at,
        "follow_up": r.down_accepted_at,
        "closed": r.closed_at,
    }


def _steps(r: Referral) -> list[dict[str, Any]]:
    """Each step done, current, to come, stopped (where a declined, cancelled or missed
    referral ended) or skipped (the steps after care of a referral closed without going
    back down), with the moment it was reached and, for the current one, the status."""
    steps = [s for s in STEPS if not (r.kind == Kind.EXAMINATION and s[0] in AFTER_CARE)]
    keys = [key for key, _label, _states in steps]
    if r.status in STOPPED:
        current = keys.index(_stopped_at(r))
    else:
        current = next((i for i, (_k, _l, states) in enumerate(steps) if r.status in states), 0)
    closed_early = r.status == Status.CLOSED and r.down_institution_id is None
    times = _step_times(r)
    rows = []
    for i, (key, label, _states) in enumerate(steps):
        if i < current:
            state = "skipped" if closed_early and key in AFTER_CARE else "done"
        elif i == current:
            state = "stopped" if r.status in STOPPED else "current"
            if r.status == Status.CLOSED:
                state = "done"
        else:
            state = "todo"
        rows.append(
            {
                "key": key,
                "label": label,
                "state": state,
                "at": times[key] if state in ("done", "current") else None,
                "note": r.get_status_display() if i == current and state != "done" else "",
            }
        )
    return rows


def _down_targets(actor: Actor, r: Referral) -> Any:
    """The sender and the lower institutions this one serves for referral."""
    return collaboration_clients_of(
        provider_id=r.receiving_institution_id,
        service="referral",
        including_id=r.sending_institution_id,
    )


def proposal_calendar(r: Referral, asked: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The desk's calendar for another time: the receiving institution's free slots for this
    kind (and examination), in the referral's department unless another is asked for, never
    the time already booked."""
    hidden = {
        "receiving_institution": str(r.receiving_institution_id),
        "kind": r.kind,
        "examination_type": r.examination_type,
        "not_at": r.slot_start.isoformat() if r.slot_start else "",
    }
    values = {"department": str(r.receiving_department_id or ""), **(asked or {}), **hidden}
    return picker_context(calendar_from(values), "proposal", hidden)


def _forms(
    actor: Actor, r: Referral, actions: list[str], asked: Mapping[str, str] | None
) -> dict[str, Any]:
    forms: dict[str, Any] = {}
    if "down_refer" in actions:
        forms["down_refer"] = DownReferForm(targets=_down_targets(actor, r))
    if "propose" in actions:
        forms["proposal"] = proposal_calendar(r, asked)
    return forms


EVENT_LABELS = {
    "create": gettext_lazy("referred"),
    "green_channel_overdue": gettext_lazy("not acknowledged in time: coordinator alerted"),
}


def _events(r: Referral) -> list[Any]:
    events = list(timeline_of(r))
    for e in events:
        label = ACTION_LABELS[Action(e.action)] if e.action in ACTION_NAMES else None
        e.label = label or EVENT_LABELS.get(e.action, e.action)  # type: ignore[attr-defined]
        e.to_label = Status(e.to_status).label if e.to_status in Status else ""  # type: ignore[attr-defined]
    return events


def _page(
    request: ActorRequest,
    actor: Actor,
    r: Referral,
    asked: Mapping[str, str] | None = None,
    **extra: Any,
) -> HttpResponse:
    actions = referral_actions(actor=actor, referral=r)
    documents = documents_among_for(
        actor=actor,
        patient=r.patient,
        document_uuids=[*r.shared_documents, r.report_document_uuid],  # no report: None, left out
    )
    context = {
        "r": r,
        "steps": _steps(r),
        "events": _events(r),
        "action_names": actions,
        "actions": [(a, ACTION_LABELS[Action(a)]) for a in actions],
        "plan": getattr(r, "plan", None),
        "follow_ups": list(r.follow_ups.all()),
        "documents": list(documents),
        "reason_form": ReasonForm(),
        "close_form": CloseForm(outcomes=CLOSE_OUTCOMES.get(Status(r.status), ())),
        "summary_form": SummaryForm(),
        "report_form": ReportForm(),
        "follow_up_form": FollowUpForm(),
        # Checking in before the booked day is confirmed, not done in one click.
        "early_day": booked_day_ahead(r) if Action.CHECK_IN in actions else None,
        **_forms(actor, r, actions, asked),
        **extra,
    }
    return render(request, "referrals/detail.html", context)


@actor_view
def detail(request: ActorRequest, actor: Actor, referral_uuid: uuid.UUID) -> HttpResponse:
    return _page(
        request,
        actor,
        get_referral_for(actor=actor, referral_uuid=referral_uuid, intent=fetch_intent(request)),
    )


@actor_view
def slip(request: ActorRequest, actor: Actor, referral_uuid: uuid.UUID) -> HttpResponse:
    r = get_referral_for(actor=actor, referral_uuid=referral_uuid, intent=fetch_intent(request))
    response = HttpResponse(referral_slip_pdf(referral=r), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{r.number}.pdf"'
    return response


def _slot(value: str) -> Slot:
    try:
        return get_slot(slot_uuid=value)
    except NotFound:
        raise ValidationFailed.single("slot", _("Choose a slot.")) from None


def _run(request: ActorRequest, actor: Actor, r: Referral, action: str) -> Any:
    post = request.POST
    simple = {
        "accept": svc.referral_accept,
        "acknowledge": svc.referral_acknowledge,
        "check_in": svc.referral_check_in,
        "no_show": svc.referral_mark_no_show,
        "proposal_accept": svc.referral_proposal_accept,
        "down_accept": svc.referral_down_accept,
    }
    with_reason = {
        "decline": svc.referral_decline,
        "cancel": svc.referral_cancel,
        "proposal_decline": svc.referral_proposal_decline,
        "down_decline": svc.referral_down_decline,
    }
    if action in simple:
        return simple[action](actor=actor, referral=r)
    if action in with_reason:
        return with_reason[action](actor=actor, referral=r, reason=post.get("reason", ""))
    if action == "propose":
        return svc.referral_propose(
            actor=actor, referral=r, slot=_slot(post.get("slot", "")), note=post.get("note", "")
        )
    if action == "report":
        return svc.referral_report_upload(
            actor=actor, referral=r, file=request.FILES.get("file"),
            title=post.get("title", ""), findings=post.get("findings", ""),
        )  # fmt: skip
    if action == "treatment_summary":
        return svc.referral_treatment_summary(
            actor=actor, referral=r, summary=post.get("summary", ""),
            discharge_diagnosis=post.get("discharge_diagnosis", ""),
        )  # fmt: skip
    if action == "down_refer":
        form = DownReferForm(post, targets=_down_targets(actor, r))
        form.is_valid()
        return svc.referral_down_refer(
            actor=actor, referral=r, down_institution=form.cleaned_data.get("down_institution"),
            instructions=post.get("instructions", ""), medications=form.medication_rows(),
            follow_up_dates=form.dates(),
        )  # fmt: skip
    if action == "follow_up":
        visit = FollowUpForm(post)
        visit.is_valid()
        return svc.referral_follow_up_record(
            actor=actor, referral=r, follow_up_id=visit.cleaned_data.get("follow_up") or 0,
            visited_on=visit.cleaned_data.get("visited_on"), note=post.get("note", ""),
        )  # fmt: skip
    if action == "close":
        return svc.referral_close(
            actor=actor, referral=r, outcome=post.get("outcome", ""), note=post.get("note", "")
        )
    raise NotFound()


@actor_view
def act(request: ActorRequest, actor: Actor, referral_uuid: uuid.UUID, action: str) -> HttpResponse:
    r = get_referral_for(actor=actor, referral_uuid=referral_uuid, intent=fetch_intent(request))
    if request.method != "POST":
        return redirect("referrals:detail", r.uuid)
    if action == Action.CHECK_IN and booked_day_ahead(r) and not request.POST.get("early"):
        # Before the booked day: the page says so and asks again, nothing recorded yet.
        messages.warning(
            request,
            _("The patient is booked for %(when)s, not today: confirm the check-in.")
            % {"when": local_time(r.slot_start) if r.slot_start else ""},
        )
        return redirect("referrals:detail", r.uuid)
    if action == Action.PROPOSE and REFRESH.intersection(request.POST):
        # Another week or department of the calendar, asked for without JavaScript.
        return _page(request, actor, r, asked=posted_values(request.POST), open_action=action)
    try:
        _run(request, actor, r, action)
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
        errors = {name: [str(m) for m in msgs] for name, msgs in exc.fields.items()}
        return _page(request, actor, r, errors=errors, failed_action=action)
    except SlotTaken as exc:
        messages.error(request, str(exc.message))
    except Conflict as exc:
        messages.error(request, str(exc.message))
    else:
        label = ACTION_LABELS[Action(action)] if action in ACTION_NAMES else action
        messages.success(request, _("Done: %(action)s.") % {"action": label})
    if referrals_visible(actor, r):
        return redirect("referrals:detail", r.uuid)
    return redirect("referrals:incoming")


def referrals_visible(actor: Actor, r: Referral) -> bool:
    from ..selectors import referrals_for

    return referrals_for(actor=actor).filter(pk=r.pk).exists()
