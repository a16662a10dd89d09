"""The reading pages: ask for a study to be read (from the study's row on the patient's
page), the reading centre's worklist, one request with what the actor may do to it, and
the requester's list. Each view fetches through a selector (which audits the read) and
changes through a service; refusals are the page base's (core/pages.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xietong.core.actor import Actor
from xietong.core.errors import NotFound, ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.pages import ServiceForm, actor_view, back_to, fetch_intent, posted
from xietong.directory.selectors import collaboration_clients_of

from ..labels import body_part_label
from ..sections import study_rows
from ..selectors import get_study_for
from ..viewer import viewer_url
from . import services as svc
from .access import can_read, can_request
from .machine import reading_actions, reading_held
from .models import ReadingRequest, Status, Urgency
from .reports import critical_acknowledge, report_return
from .selectors import (
    WorklistFilters,
    requests_of_institution_for,
    worklist_for,
)
from .workflow import ACTION_LABELS, Action


class RequestForm(ServiceForm):
    urgency = forms.ChoiceField(
        label=gettext_lazy("Urgency"), choices=Urgency.choices, initial=Urgency.ROUTINE
    )
    clinical_question = forms.CharField(
        label=gettext_lazy("Clinical question"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What the reader should answer, and what is known already."),
    )


@require_http_methods(["GET", "POST"])
@actor_view(allowed=can_request)
def reading_new(request: ActorRequest, actor: Actor, study_uid: str) -> HttpResponse:
    """The form that sends one study of the institution's patient to be read."""
    study = get_study_for(actor=actor, study_uid=study_uid, intent=fetch_intent(request))
    if study.institution_id != actor.institution_id or study.patient_id is None:
        raise NotFound()
    form = RequestForm(posted(request))
    if form.is_valid():
        try:
            r = svc.reading_create(actor=actor, study=study, **form.cleaned_data)
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("%(number)s is with %(centre)s.") % {"number": r.number, "centre": r.centre.name},
            )
            return redirect("imaging:reading", reading_uuid=r.uuid)
    row = study_rows([study])[0]
    return render(request, "imaging/reading/new.html", {"row": row, "form": form},
                  status=422 if form.errors else 200)  # fmt: skip


class WorklistForm(ServiceForm):
    modality = forms.CharField(label=gettext_lazy("Modality"), required=False, max_length=16)
    body_part = forms.CharField(label=gettext_lazy("Body part"), required=False, max_length=16)
    urgency = forms.ChoiceField(
        label=gettext_lazy("Urgency"), required=False,
        choices=[("", gettext_lazy("Any")), *Urgency.choices],
    )  # fmt: skip
    # The institutions the centre serves for imaging (set per actor; the selector checks).
    institution = forms.CharField(
        label=gettext_lazy("Requesting institution"), required=False, widget=forms.Select
    )
    waited = forms.IntegerField(
        label=gettext_lazy("Waiting at least (hours)"), required=False, min_value=0
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False,
        choices=[("", gettext_lazy("To read or review")),
                 *[(s.value, s.label) for s in Status if s != Status.CANCELLED]],
    )  # fmt: skip
    mine = forms.BooleanField(label=gettext_lazy("Claimed by me"), required=False)


def _worklist_filters(form: WorklistForm) -> WorklistFilters:
    d = form.cleaned_data
    return WorklistFilters(
        modality=d["modality"].strip(), body_part=d["body_part"].strip(), urgency=d["urgency"],
        institution=d["institution"], waited=d["waited"], status=d["status"], mine=d["mine"],
    )  # fmt: skip


@require_GET
@actor_view(allowed=can_read)
def worklist(request: ActorRequest, actor: Actor) -> HttpResponse:
    """The centre's studies to read: filters, overdue flagged, refreshed live (htmx fetches
    the rows again every half minute). A filter that makes no sense is said beside it."""
    form = WorklistForm(request.GET)
    clients = collaboration_clients_of(provider_id=actor.institution_id or 0, service="imaging")
    form.fields["institution"].widget.choices = [
        ("", _("Any")),
        *[(str(i.uuid), i.name) for i in clients],
    ]
    rows: list[ReadingRequest] = []
    if form.is_valid():
        try:
            rows = worklist_for(actor=actor, filters=_worklist_filters(form))
        except ValidationFailed as exc:
            form.add_service_errors(exc)
    for r in rows:
        r.body_part_label = body_part_label(r.body_part) if r.body_part else ""  # type: ignore[attr-defined]
        # The study opens in the viewer from its row (the centre sees it while it is asked).
        uid = r.study.study_instance_uid
        r.viewer_url = viewer_url(uid) if r.study.instance_count else ""  # type: ignore[attr-defined]
        r.offered = [(a, ACTION_LABELS[a]) for a in reading_actions(actor=actor, reading=r)  # type: ignore[attr-defined]
                     if a in (Action.CLAIM, Action.RELEASE)]  # fmt: skip
    context = {"rows": rows, "form": form}
    status = 422 if form.errors else 200
    if request.headers.get("HX-Request"):
        return render(request, "imaging/reading/_worklist_rows.html", context, status=status)
    return render(request, "imaging/reading/worklist.html", context, status=status)


@require_GET
@actor_view(allowed=can_request)
def readings_mine(request: ActorRequest, actor: Actor) -> HttpResponse:
    """What the institution asked to be read, with the critical findings to acknowledge."""
    rows = requests_of_institution_for(actor=actor)
    return render(request, "imaging/reading/mine.html", {"rows": rows})


# The steps a button takes without a form of their own (the report's steps have theirs).
_BUTTONS: dict[Action, Callable[..., Any]] = {
    Action.CLAIM: svc.reading_claim,
    Action.RELEASE: svc.reading_release,
    Action.CRITICAL_ACK: critical_acknowledge,
}
# The steps a small form takes with its reason.
_WITH_REASON: dict[Action, Callable[..., Any]] = {
    Action.CANCEL: svc.reading_cancel,
    Action.RETURN: report_return,
}
_DONE = {
    Action.CLAIM: gettext_lazy("The study is yours to read."),
    Action.RELEASE: gettext_lazy("The study is back in the worklist."),
    Action.CANCEL: gettext_lazy("The request is cancelled."),
    Action.CRITICAL_ACK: gettext_lazy("The critical finding is acknowledged."),
    Action.RETURN: gettext_lazy("The report is back with its reader."),
}


@require_POST
@actor_view(back=back_to("imaging:reading", "reading_uuid"))
def reading_act(
    request: ActorRequest, actor: Actor, reading_uuid: uuid.UUID, action: str
) -> HttpResponse:
    """One step from a button (claim, release, acknowledge) or a small form with a reason
    (cancel, return)."""
    with reading_held(actor=actor, reading_uuid=reading_uuid) as r:
        if action in _WITH_REASON:
            _WITH_REASON[Action(action)](
                actor=actor, reading=r, reason=request.POST.get("reason", "")
            )
        elif action in _BUTTONS:
            _BUTTONS[Action(action)](actor=actor, reading=r)
        else:
            raise NotFound()
    messages.success(request, str(_DONE[Action(action)]))
    target = request.POST.get("next") == "worklist"
    if action == Action.RELEASE or (target and action != Action.CLAIM):
        return redirect("imaging:worklist")
    return redirect(reverse("imaging:reading", kwargs={"reading_uuid": reading_uuid}))
