"""The expert's answer (accept, or decline with a reason) and cancelling a consultation
before it starts (requester or centre, with a reason)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xietong.core.actor import Actor
from xietong.core.errors import Conflict, NotFound, ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view, fetch_intent, posted, told
from xietong.records.selectors import documents_for_source

from .. import services as svc
from ..access import CENTRE_ROLES, EXPERT_ROLES, REQUESTER_ROLES
from ..forms import ReasonForm
from ..models import AssignmentStatus, ConsultationAssignment, Status
from ..selectors import get_consultation_for
from ._common import require_role

QUEUE = "consultations:queue"


def _lost_meanwhile(
    request: ActorRequest, actor: Actor, consultation_uuid: uuid.UUID
) -> HttpResponse:
    """An expert whose assignment ended a moment ago (the consultation was cancelled, or
    reassigned) no longer sees it: they are told what happened rather than met with 404."""
    ended = (
        ConsultationAssignment.objects.filter(
            consultation__uuid=consultation_uuid,
            expert__practitioner__user__id=actor.user_id,
            status=AssignmentStatus.CANCELLED,
        )
        .select_related("consultation")
        .first()
    )
    if ended is None:
        raise NotFound()
    messages.error(
        request,
        _("Someone acted on this consultation a moment ago: it is now %(state)s.")
        % {"state": Status(ended.consultation.status).label},
    )
    return redirect(QUEUE)


@actor_view
@require_http_methods(["GET", "POST"])
def answer(request: ActorRequest, actor: Actor, consultation_uuid: uuid.UUID) -> HttpResponse:
    require_role(actor, *EXPERT_ROLES)
    try:
        c = get_consultation_for(
            actor=actor, consultation_uuid=consultation_uuid, intent=fetch_intent(request)
        )
    except NotFound:
        return _lost_meanwhile(request, actor, consultation_uuid)
    form = ReasonForm(posted(request))
    if request.method == "POST":
        try:
            if request.POST.get("action") == "accept":
                c = svc.consultation_expert_accept(actor=actor, consultation=c)
                messages.success(request, _("You accepted %(number)s.") % {"number": c.number})
                return redirect(QUEUE)
            if form.is_valid():
                c = svc.consultation_expert_decline(
                    actor=actor, consultation=c, reason=form.cleaned_data["reason"]
                )
                messages.success(
                    request,
                    _("You declined %(number)s; it goes back to the centre's triage.")
                    % {"number": c.number},
                )
                return redirect(QUEUE)
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        except Conflict as exc:
            return told(request, exc, QUEUE)
    context = {
        "consultation": c,
        "attached": list(documents_for_source(actor=actor, source=c.source)),
        "form": form,
    }
    return render(request, "consultations/answer.html", context, status=422 if form.errors else 200)


@actor_view
@require_http_methods(["GET", "POST"])
def cancel(request: ActorRequest, actor: Actor, consultation_uuid: uuid.UUID) -> HttpResponse:
    require_role(actor, *REQUESTER_ROLES, *CENTRE_ROLES)
    c = get_consultation_for(
        actor=actor, consultation_uuid=consultation_uuid, intent=fetch_intent(request)
    )
    back = "consultations:mine" if actor.has_role(*REQUESTER_ROLES) else "consultations:inbox"
    form = ReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            c = svc.consultation_cancel(
                actor=actor, consultation=c, reason=form.cleaned_data["reason"]
            )
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        except Conflict as exc:
            return told(request, exc, back)
        else:
            messages.success(request, _("%(number)s cancelled.") % {"number": c.number})
            return redirect(back)
    context = {"consultation": c, "form": form, "back": back}
    return render(request, "consultations/cancel.html", context, status=422 if form.errors else 200)
