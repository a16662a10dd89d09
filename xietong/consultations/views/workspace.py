"""The consultation workspace: one page for everyone taking part, and the two actions
taken from it directly (starting, and the requester's acknowledgement with a rating)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xietong.core.actor import Actor
from xietong.core.errors import ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view, back_to, fetch_intent
from xietong.records.panels import documents_panel_context

from .. import services as svc
from ..chat import consultation_thread
from ..models import Consultation
from ..selectors import get_consultation_for
from .workspace_base import (
    changed_since_seen,
    flat_errors,
    workspace_url,
)
from .workspace_context import workspace_context


def _render(
    request: ActorRequest, actor: Actor, c: Consultation, status: int = 200, **extra: Any
) -> HttpResponse:
    """The page for a consultation fetched through get_consultation_for (the read audited)."""
    context = workspace_context(actor, c)
    context["records"] = documents_panel_context(
        actor=actor, patient=c.patient, source=c.source, next_url=workspace_url(c)
    )
    context["thread"] = consultation_thread(consultation=c)
    context.update(extra)
    return render(request, "consultations/workspace.html", context, status=status)


@actor_view
def detail(request: ActorRequest, actor: Actor, consultation_uuid: uuid.UUID) -> HttpResponse:
    c = get_consultation_for(
        actor=actor, consultation_uuid=consultation_uuid, intent=fetch_intent(request)
    )
    return _render(request, actor, c)


# A refused action comes back to the workspace, which shows the consultation as it now is.
to_workspace = actor_view(back=back_to("consultations:detail", "consultation_uuid"))


@to_workspace
@require_POST
def start(request: ActorRequest, actor: Actor, consultation_uuid: uuid.UUID) -> HttpResponse:
    c = get_consultation_for(
        actor=actor, consultation_uuid=consultation_uuid, intent=fetch_intent(request)
    )
    if changed := changed_since_seen(request, c):
        return changed
    svc.consultation_start(actor=actor, consultation=c)
    messages.success(request, _("The consultation has started."))
    return redirect(workspace_url(c))


@to_workspace
@require_POST
def acknowledge(request: ActorRequest, actor: Actor, consultation_uuid: uuid.UUID) -> HttpResponse:
    c = get_consultation_for(
        actor=actor, consultation_uuid=consultation_uuid, intent=fetch_intent(request)
    )
    if changed := changed_since_seen(request, c):
        return changed
    raw = request.POST.get("rating", "")
    comment = request.POST.get("comment", "")
    try:
        rating = int(raw) if raw.strip().isdigit() else 0
        svc.consultation_acknowledge(actor=actor, consultation=c, rating=rating, comment=comment)
    except ValidationFailed as exc:
        return _render(
            request,
            actor,
            get_consultation_for(actor=actor, consultation_uuid=c.uuid),
            status=422,
            ack_errors=flat_errors(exc.fields),
            ack_rating=raw,
            ack_comment=comment,
        )
    messages.success(request, _("Thank you: the consultation is completed."))
    return redirect(workspace_url(c))
