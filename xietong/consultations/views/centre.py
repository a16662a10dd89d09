"""The serving centre's actions: the quality check (pass, or return with a comment), triage
(experts from the library, a lead for MDT) and booking a real-time consultation into a free
slot of the expert's schedule."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xietong.core.actor import Actor
from xietong.core.errors import Conflict, NotFound, ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view, fetch_intent, posted, told
from xietong.core.times import local_time
from xietong.directory.selectors import expert_search_page, experts_by_practitioner
from xietong.records.selectors import documents_for_source
from xietong.scheduling.selectors import get_slot, slots_free
from xietong.scheduling.week import weeks_of

from .. import services as svc
from ..forms import CommentForm, ExpertFilterForm, ScheduleForm
from ..models import AssignmentStatus, Consultation, Kind, Status
from ..selectors import consultation_assignments, experts_next_free, get_consultation_for
from ._common import require_role

if TYPE_CHECKING:
    from xietong.directory.models import Expert

INBOX = "consultations:inbox"


def _summary(actor: Actor, c: Consultation) -> dict[str, Any]:
    return {
        "consultation": c,
        "attached": list(documents_for_source(actor=actor, source=c.source)),
        "missing": svc.missing_parts(c),
    }


@actor_view
@require_http_methods(["GET", "POST"])
def qc(request: ActorRequest, actor: Actor, consultation_uuid: uuid.UUID) -> HttpResponse:
    require_role(actor, "qc")
    c = get_consultation_for(
        actor=actor, consultation_uuid=consultation_uuid, intent=fetch_intent(request)
    )
    form = CommentForm(posted(request))
    if request.method == "POST":
        try:
            if request.POST.get("action") == "pass":
                c = svc.consultation_qc_pass(actor=actor, consultation=c)
                messages.success(
                    request, _("Quality check passed: %(number)s.") % {"number": c.number}
                )
                return redirect(INBOX)
            if form.is_valid():
                c = svc.consultation_qc_return(
                    actor=actor, consultation=c, comment=form.cleaned_data["comment"]
                )
                messages.success(
                    request, _("Returned to the requester: %(number)s.") % {"number": c.number}
                )
                return redirect(INBOX)
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        except Conflict as exc:
            return told(request, exc, INBOX)
    context = {**_summary(actor, c), "form": form}
    status = 422 if form.errors else 200
    return render(request, "consultations/qc.html", context, status=status)


def _experts(keys: list[str]) -> list[Expert]:
    found = {str(k): e for k, e in experts_by_practitioner(keys=_uuids(keys)).items()}
    return [found[k] for k in keys if k in found]


def _uuids(keys: list[str]) -> list[uuid.UUID]:
    out = []
    for key in keys:
        try:
            out.append(uuid.UUID(key))
        except ValueError:
            continue
    return out


def _expert_filters(request: ActorRequest, c: Consultation) -> ExpertFilterForm:
    if any(name in request.GET for name in ExpertFilterForm.base_fields):
        return ExpertFilterForm(request.GET)
    wanted = c.wanted_department.code if c.wanted_department else ""
    return ExpertFilterForm({"department": wanted, "title": c.wanted_title})


def _library(form: ExpertFilterForm) -> Any:
    data = form.cleaned_data if form.is_valid() else {}
    return expert_search_page(
        limit=30,
        service="consultation",
        department=data.get("department") or None,
        specialty=data.get("specialty") or None,
        title=data.get("title") or None,
        institution_level=data.get("institution_level") or None,
    )


def _with_next_free(experts: list[Expert]) -> list[Expert]:
    """Availability at a glance: each expert's next free consultation slot."""
    next_free = experts_next_free(experts=experts)
    for expert in experts:
        expert.next_free = next_free.get(expert.practitioner_id)  # type: ignore[attr-defined]
    return experts


@actor_view
@require_http_methods(["GET", "POST"])
def triage(request: ActorRequest, actor: Actor, consultation_uuid: uuid.UUID) -> HttpResponse:
    require_role(actor, "coordinator")
    c = get_consultation_for(
        actor=actor, consultation_uuid=consultation_uuid, intent=fetch_intent(request)
    )
    errors: list[str] = []
    chosen = request.POST.getlist("experts")
    if request.method == "POST":
        experts = _experts(chosen)
        lead_key = request.POST.get("lead") or ""
        lead = next(iter(_experts([lead_key])), None) if lead_key else None
        try:
            if len(experts) != len(chosen):
                raise ValidationFailed.single("experts", _("Unknown expert."))
            c = svc.consultation_triage_assign(
                actor=actor, consultation=c, experts=experts, lead=lead
            )
        except ValidationFailed as exc:
            errors = [str(m) for messages_ in exc.fields.values() for m in messages_]
        except Conflict as exc:
            return told(request, exc, INBOX)
        else:
            messages.success(
                request,
                _("%(number)s assigned; the experts are asked to answer.") % {"number": c.number},
            )
            return redirect(INBOX)
    form = _expert_filters(request, c)
    library = _library(form)
    context = {
        **_summary(actor, c),
        "filters": form,
        "experts": _with_next_free(library.experts),
        "total": library.total,
        "chosen": chosen,
        "lead": request.POST.get("lead", ""),
        "is_mdt": c.kind == Kind.MDT,
        "errors": errors,
        "assignments": list(consultation_assignments(consultation=c)),
        "can_assign": c.status == Status.TRIAGE,
    }
    return render(request, "consultations/triage.html", context, status=422 if errors else 200)


def _lead_expert(c: Consultation) -> Expert | None:
    lead = (
        c.assignments.filter(status=AssignmentStatus.ACCEPTED)
        .select_related("expert__practitioner")
        .order_by("-lead", "id")
        .first()
    )
    return lead.expert if lead else None


@actor_view
@require_http_methods(["GET", "POST"])
def schedule(request: ActorRequest, actor: Actor, consultation_uuid: uuid.UUID) -> HttpResponse:
    require_role(actor, "coordinator", "expert")
    c = get_consultation_for(
        actor=actor, consultation_uuid=consultation_uuid, intent=fetch_intent(request)
    )
    expert = _lead_expert(c)
    form = ScheduleForm(posted(request))
    alternatives: list[Any] | None = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            key = form.cleaned_data["slot"]
            if key is None:
                raise ValidationFailed.single("slot", _("Choose a time."))
            try:
                slot = get_slot(slot_uuid=key)
            except NotFound:
                raise ValidationFailed.single("slot", _("Unknown time slot.")) from None
            book = (
                svc.consultation_reschedule
                if c.status == Status.SCHEDULED
                else svc.consultation_schedule
            )
            c = book(actor=actor, consultation=c, slot=slot, room=form.cleaned_data["room"])
        except ValidationFailed as exc:
            form.add_service_errors(exc)
            status = 422
        except Conflict as exc:
            alternatives = getattr(exc, "alternatives", None)
            if alternatives is None:
                return told(
                    request, exc, INBOX if actor.has_role("coordinator") else "consultations:queue"
                )
            messages.error(request, str(exc.message))
            status = 409
        else:
            messages.success(
                request,
                _("%(number)s booked for %(start)s.")
                % {
                    "number": c.number,
                    "start": local_time(c.scheduled_start) if c.scheduled_start else "",
                },
            )
            return redirect(INBOX if actor.has_role("coordinator") else "consultations:queue")
    free = (
        list(slots_free(practitioner=expert.practitioner_id, purpose="consultation", limit=30))
        if expert
        else []
    )
    slots = alternatives if alternatives is not None else free
    chosen = "" if alternatives is not None else str(request.POST.get("slot") or "")
    context = {
        "consultation": c,
        "expert": expert,
        "form": form,
        "slots": slots,
        # The expert's free times as the weeks of a calendar, on the reader's clock.
        "weeks": weeks_of(slots, chosen=chosen),
        "slot_taken": alternatives is not None,
    }
    return render(request, "consultations/schedule.html", context, status=status)
