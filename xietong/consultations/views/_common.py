"""What every request-side page shares: the signed-in actor, the way a refused action is
told to the user, and the link to the consultation's workspace."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse

from xietong.core.actor import Actor
from xietong.core.errors import Conflict, NotPermitted
from xietong.core.http import ActorRequest

from ..models import Consultation

View = Callable[..., HttpResponseBase]


def actor_view(view: View) -> View:
    """Signed in and acting through a membership. What the actor may see is decided by the
    selectors (404), what they may do by the services (a message, nothing changes)."""

    @login_required
    @wraps(view)
    def wrapper(request: ActorRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        actor = request.actor
        if actor is None:
            raise PermissionDenied
        try:
            return view(request, actor, *args, **kwargs)
        except NotPermitted as exc:
            raise PermissionDenied(str(exc.message)) from exc

    return wrapper


def refused(request: ActorRequest, exc: Conflict, back: str) -> HttpResponse:
    """A transition the table refused (wrong state, wrong role, someone acted meanwhile):
    the service's own sentence, and back to where the user came from."""
    messages.error(request, str(exc.message))
    return redirect(back)


def posted(request: ActorRequest) -> QueryDict | None:
    """The form data of a POST, even an empty one (`request.POST or None` would take an
    empty submission for a first visit)."""
    return request.POST if request.method == "POST" else None


def detail_url(consultation: Consultation) -> str:
    """The workspace page, once it exists; until then lists link nowhere."""
    try:
        return reverse("consultations:detail", args=[consultation.uuid])
    except NoReverseMatch:
        return ""


def with_links(rows: Any) -> list[Consultation]:
    listed = list(rows)
    for c in listed:
        c.link = detail_url(c)
    return listed


def require_role(actor: Actor, *roles: str) -> None:
    if not actor.has_role(*roles):
        raise PermissionDenied
