"""What the workspace, opinion and board pages share: the signed-in actor, links to pages
that may not exist yet, and a refused action told as a message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from xietong.core.errors import Conflict
from xietong.core.http import ActorRequest

from ..models import Consultation, Status

View = Callable[..., HttpResponseBase]


def url_or_blank(name: str, c: Consultation) -> str:
    """A page of the request side, linked only once it exists."""
    try:
        return reverse(name, args=[c.uuid])
    except NoReverseMatch:
        return ""


def workspace_url(c: Consultation) -> str:
    return reverse("consultations:detail", args=[c.uuid])


def told_refused(request: ActorRequest, exc: Conflict, c: Consultation) -> HttpResponse:
    """The service's own sentence (wrong state, wrong role, someone acted meanwhile) and
    back to the workspace, which shows the consultation as it now is."""
    messages.error(request, str(exc.message))
    return redirect(workspace_url(c))


def flat_errors(fields: dict[str, list[Any]]) -> dict[str, list[str]]:
    return {name: [str(e) for e in errors] for name, errors in fields.items()}


def changed_since_seen(request: ActorRequest, c: Consultation) -> HttpResponse | None:
    """The page posts the state it showed (`seen`). When someone acted in between, say so
    and show the consultation as it now is, rather than acting on what the user did not see."""
    seen = request.POST.get("seen", "")
    if not seen or seen == c.status:
        return None
    messages.error(
        request,
        _("Someone acted on this consultation a moment ago: it is now %(state)s.")
        % {"state": Status(c.status).label},
    )
    return redirect(workspace_url(c))
