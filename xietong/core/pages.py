"""The one base for pages: `actor_view`.

A page view is `view(request, actor, ...)`. The base makes sure someone is signed in and
acts through a membership (the actor ActorMiddleware resolved once for the request), and it
turns the services' refusals into what a user sees, the same way on every page:

- NotFound: 404 (missing and forbidden look alike);
- NotPermitted: 403;
- Conflict: the service's own sentence as a message, nothing changed, and back to where
  the user came from (the view's `back`, else the page they were on);
- ValidationFailed: the form's errors. A view with a form catches it and calls
  `form_errors_add` (or `ServiceForm.add_service_errors`) so the page shows the errors
  beside its fields; one that reaches the base (a button without a form) is shown as
  messages, like a Conflict.

A view handles a refusal itself only when it does more than that (a booking refused with
alternative slots, a JSON answer for the page's script)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, overload

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .actor import Actor
from .errors import Conflict, NotPermitted, ValidationFailed
from .http import ActorRequest
from .reads import CHANGE, SHOW, Intent

View = Callable[..., HttpResponseBase]
# Where a refused action goes back to: a URL name or path, or one made from the request and
# the view's arguments (e.g. the object's page).
Back = str | Callable[..., str]


def form_errors_add(form: forms.Form, exc: ValidationFailed) -> None:
    """The service's field errors beside the form's fields (others at the top)."""
    for name, errors in exc.fields.items():
        target = name if name in form.fields else None
        for error in errors:
            form.add_error(target, str(error))


class ServiceForm(forms.Form):
    """A form whose data a service validates again: its refusals land on the fields."""

    def add_service_errors(self, exc: ValidationFailed) -> None:
        form_errors_add(self, exc)


def posted(request: ActorRequest) -> QueryDict | None:
    """The form data of a POST, even an empty one (`request.POST or None` would take an
    empty submission for a first visit)."""
    return request.POST if request.method == "POST" else None


def safe_next(request: ActorRequest, fallback: str) -> str:
    """The `next` the form carried, when it is a page of ours; else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _came_from(request: ActorRequest) -> str:
    """The page the user was on: the referring page when it is ours, else this one for a
    GET, else home."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return request.get_full_path() if request.method == "GET" else "/"


def told(request: ActorRequest, exc: Conflict | ValidationFailed, back: str) -> HttpResponse:
    """The service's own sentence (and a validation's field messages) as messages, and
    back to `back`, which shows things as they now are."""
    said = (
        [str(e) for es in exc.fields.values() for e in es]
        if isinstance(exc, ValidationFailed)
        else []
    )
    for sentence in said or [str(exc.message)]:
        messages.error(request, sentence)
    return HttpResponseRedirect(resolve_url(back))


def back_to(name: str, *keys: str) -> Callable[..., str]:
    """`back` for a page named `name` whose URL takes these of the view's arguments."""

    def url(request: ActorRequest, **kwargs: Any) -> str:
        return reverse(name, kwargs={key: kwargs[key] for key in keys})

    return url


def _back_for(back: Back | None, request: ActorRequest, kwargs: dict[str, Any]) -> str:
    if back is None:
        return _came_from(request)
    if callable(back):
        return back(request, **kwargs)
    return back


@overload
def actor_view(view: View, /) -> View: ...
@overload
def actor_view(
    *, back: Back | None = ..., allowed: Callable[[Actor], bool] | None = ...
) -> Callable[[View], View]: ...
def actor_view(
    view: View | None = None,
    /,
    *,
    back: Back | None = None,
    allowed: Callable[[Actor], bool] | None = None,
) -> View | Callable[[View], View]:
    """`@actor_view` or `@actor_view(back=..., allowed=...)`: signed in, acting through a
    membership (and, with `allowed`, one whose roles may open the page at all: 403 else),
    the view called as `view(request, actor, ...)` and its refusals mapped as above."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: ActorRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            actor = request.actor
            if actor is None or (allowed is not None and not allowed(actor)):
                raise PermissionDenied
            try:
                return view(request, actor, *args, **kwargs)
            except NotPermitted as exc:
                raise PermissionDenied(str(exc.message)) from exc
            except (Conflict, ValidationFailed) as exc:
                return told(request, exc, _back_for(back, request, kwargs))

        return wrapper

    return decorate(view) if view is not None else decorate


def fetch_intent(request: ActorRequest) -> Intent:
    """Why a page fetches its object: to show it (GET), or for the write a POST makes
    (the write is audited; core/reads.py)."""
    return SHOW if request.method in ("GET", "HEAD") else CHANGE
