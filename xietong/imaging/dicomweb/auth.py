"""Who calls: an API bearer token (a PACS, a gateway, a script) or the signed-in browser
session (the viewer), the same as the API. Each view gets the actor and the reader key its
retrievals are recorded under, or the caller is told to authenticate; errors answer as JSON
in the caller's language."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from xietong.accounts.actors import actor_for_membership
from xietong.accounts.tokens import api_token_resolve
from xietong.core.actor import Actor
from xietong.core.errors import DomainError, ValidationFailed

DicomwebView = Callable[..., HttpResponseBase]


def json_error(status: int, message: str) -> HttpResponse:
    return HttpResponse(
        json.dumps({"detail": message}, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def _csrf_refused(request: HttpRequest) -> bool:
    checker = CsrfViewMiddleware(lambda _request: HttpResponse())
    checker.process_request(request)
    return checker.process_view(request, lambda _request: HttpResponse(), (), {}) is not None


def _caller(request: HttpRequest) -> tuple[Actor, str] | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        token = api_token_resolve(header[7:].strip())
        if token is None:
            return None
        request.user = token.user
        return actor_for_membership(token.membership), f"token:{token.pk}"
    actor: Actor | None = getattr(request, "actor", None)  # the session's (ActorMiddleware)
    if actor is None or not request.session.session_key:
        return None
    return actor, f"session:{request.session.session_key}"


def dicomweb_view(view: DicomwebView) -> DicomwebView:
    """The view runs with `actor` and `reader` as keywords; 401 without a caller, the
    status of a DomainError as JSON. A session's unsafe request needs its CSRF token (a
    bearer token is not sent by the browser on its own, so it needs none)."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        caller = _caller(request)
        if caller is None:
            answer = json_error(401, _("Sign in, or send an API token."))
            answer["WWW-Authenticate"] = 'Bearer realm="dicomweb"'
            return answer
        actor, reader = caller
        unsafe = request.method not in ("GET", "HEAD", "OPTIONS")
        if unsafe and reader.startswith("session:") and _csrf_refused(request):
            return json_error(403, _("The form has expired. Reload the page and try again."))
        try:
            return view(request, *args, actor=actor, reader=reader, **kwargs)
        except ValidationFailed as exc:  # the parameter's own sentence, not the form's
            said = [str(m) for messages in exc.fields.values() for m in messages]
            return json_error(exc.status, " ".join(said) or str(exc.message))
        except DomainError as exc:
            return json_error(exc.status, str(exc.message))

    return wrapped
