"""The referral desk's pages: schedules, a schedule (weekly rules, exceptions, generating
slots, the next weeks' slots) and utilisation. Views parse and render; services decide."""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xietong.core.actor import Actor
from xietong.core.errors import ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view, form_errors_add

from .access import can_manage_schedules
from .forms import ExceptionForm, GenerateForm, RuleFormSet, ScheduleForm, UtilisationForm
from .models import Schedule
from .selectors import get_schedule_for, schedule_slots, schedules_for, utilisation_for
from .services import schedule_create, schedule_exception_add, schedule_rules_set, slots_generate
from .services.schedules import local_zone

# Signed in as the referral desk or an administrator of an institution.
desk_view = actor_view(allowed=can_manage_schedules)


@desk_view
@require_http_methods(["GET", "POST"])
def schedule_list(request: ActorRequest, actor: Actor) -> HttpResponse:
    form = ScheduleForm(request.POST or None, institution_id=actor.institution_id)
    if request.method == "POST" and form.is_valid():
        try:
            schedule = schedule_create(actor=actor, **form.cleaned_data)
        except ValidationFailed as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Schedule created. Now set its weekly rules."))
            return redirect("scheduling:detail", schedule.uuid)
    return render(
        request,
        "scheduling/schedules.html",
        {"schedules": schedules_for(actor=actor), "form": form},
    )


def _detail_context(schedule: Schedule, **forms: Any) -> dict[str, Any]:
    today = timezone.localdate()
    rules = [
        {
            "weekday": r.weekday,
            "start_time": r.start_time,
            "end_time": r.end_time,
            "slot_minutes": r.slot_minutes,
            "capacity": r.capacity,
            "referral_reserved": r.referral_reserved,
        }
        for r in schedule.rules.all()
    ]
    zone = local_zone()
    slots = list(schedule_slots(schedule=schedule, days=21))
    days = [
        (day, list(group))
        for day, group in groupby(slots, key=lambda s: s.start.astimezone(zone).date())
    ]
    return {
        "schedule": schedule,
        "rules_formset": forms.get("rules_formset") or RuleFormSet(initial=rules, prefix="rules"),
        "exception_form": forms.get("exception_form") or ExceptionForm(),
        "generate_form": forms.get("generate_form")
        or GenerateForm(initial={"start_date": today, "end_date": today + dt.timedelta(days=20)}),
        "exceptions": schedule.exceptions.filter(date__gte=today),
        "days": days,
    }


@desk_view
def schedule_detail(request: ActorRequest, actor: Actor, schedule_uuid: str) -> HttpResponse:
    schedule = get_schedule_for(actor=actor, schedule_uuid=schedule_uuid)
    return render(request, "scheduling/schedule.html", _detail_context(schedule))


@desk_view
@require_POST
def rules_edit(request: ActorRequest, actor: Actor, schedule_uuid: str) -> HttpResponse:
    schedule = get_schedule_for(actor=actor, schedule_uuid=schedule_uuid)
    formset = RuleFormSet(request.POST, prefix="rules")
    if formset.is_valid():
        rows = [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            schedule_rules_set(actor=actor, schedule=schedule, rules=rows)
        except ValidationFailed as exc:
            for name, msgs in exc.fields.items():
                _rules, index, field = [*name.split("."), "", ""][:3]
                live = [
                    f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
                ]
                target = live[int(index)] if index.isdigit() and int(index) < len(live) else None
                for msg in msgs:
                    if target is not None:
                        target.add_error(field if field in target.fields else None, str(msg))
        else:
            messages.success(request, _("Weekly rules saved. Generate the slots to apply them."))
            return redirect("scheduling:detail", schedule.uuid)
    return render(
        request,
        "scheduling/schedule.html",
        _detail_context(schedule, rules_formset=formset),
        status=422,
    )


@desk_view
@require_POST
def exception_add(request: ActorRequest, actor: Actor, schedule_uuid: str) -> HttpResponse:
    schedule = get_schedule_for(actor=actor, schedule_uuid=schedule_uuid)
    form = ExceptionForm(request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v is not None}
        try:
            schedule_exception_add(actor=actor, schedule=schedule, **data)
        except ValidationFailed as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Exception added. Generate the slots to apply it."))
            return redirect("scheduling:detail", schedule.uuid)
    return render(
        request,
        "scheduling/schedule.html",
        _detail_context(schedule, exception_form=form),
        status=422,
    )


@desk_view
@require_POST
def generate(request: ActorRequest, actor: Actor, schedule_uuid: str) -> HttpResponse:
    schedule = get_schedule_for(actor=actor, schedule_uuid=schedule_uuid)
    form = GenerateForm(request.POST)
    if form.is_valid():
        try:
            result = slots_generate(actor=actor, schedule=schedule, **form.cleaned_data)
        except ValidationFailed as exc:
            form_errors_add(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Slots generated: %(created)d new, %(updated)d changed, %(removed)d removed; "
                    "%(kept)d booked slots left as they were."
                )
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "removed": result.removed,
                    "kept": result.kept_booked,
                },
            )
            return redirect("scheduling:detail", schedule.uuid)
    return render(
        request,
        "scheduling/schedule.html",
        _detail_context(schedule, generate_form=form),
        status=422,
    )


@desk_view
def utilisation(request: ActorRequest, actor: Actor) -> HttpResponse:
    form = UtilisationForm(request.GET or None)
    start, weeks = None, 4
    if form.is_valid():
        start = form.cleaned_data["start"]
        weeks = form.cleaned_data["weeks"] or 4
    rows = utilisation_for(actor=actor, start=start, weeks=weeks)
    return render(request, "scheduling/utilisation.html", {"form": form, "rows": rows})
