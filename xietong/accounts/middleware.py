"""Session policy and the actor of each request."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from .actors import SESSION_MEMBERSHIP_KEY, actor_for_user
from .models import User
from .reauth import identity_read_at_sign_in
from .two_factor import SecondFactor, session_pending

_LAST_SEEN = "xt_last_seen"
IDLE_SIGNED_OUT = "xt_idle_signed_out"


class IdleTimeoutMiddleware:
    """Ends a session after XT_IDLE_TIMEOUT_SECONDS without a request (等保 level 3)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(_LAST_SEEN)
            if last is not None and now - int(last) > settings.XT_IDLE_TIMEOUT_SECONDS:
                request.xt_logout_reason = "idle"  # type: ignore[attr-defined]  # for the audit
                auth.logout(request)
                # Messages are not set up this early; the sign-in page says it.
                request.session[IDLE_SIGNED_OUT] = True
            else:
                request.session[_LAST_SEEN] = now
        return self.get_response(request)


class _HoldingMiddleware:
    """Keeps a signed-in session on a few pages until it has done one thing: the pages in
    `_OPEN` (the step itself, signing out, the language) and the JSON API, which checks
    for itself, stay open; anything else is sent to the step, and back after it."""

    _OPEN: tuple[str, ...] = ()

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open_paths: frozenset[str] | None = None

    def _is_open(self, path: str) -> bool:
        if self._open_paths is None:
            self._open_paths = frozenset(reverse(name) for name in self._OPEN)
        return path in self._open_paths or path.startswith(("/api/", settings.STATIC_URL))

    def _sent_to(self, request: HttpRequest, name: str) -> HttpResponse:
        url = reverse(name) + "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)


class SecondFactorMiddleware(_HoldingMiddleware):
    """Keeps a session that gave the right password but not yet the code (or has still to
    set up an authenticator) on the two-factor pages. Any sign-in path leads here, the
    admin's included. The JSON API checks the same in its session authentication."""

    _OPEN = (
        "accounts:login",
        "accounts:otp_verify",
        "accounts:totp_setup",
        "accounts:logout",
        "set_language",
    )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            pending = session_pending(request)
            # Read by ActorMiddleware: such a session acts for no institution yet.
            request.xt_second_factor_pending = pending is not SecondFactor.NOT_NEEDED  # type: ignore[attr-defined]
            if pending is not SecondFactor.NOT_NEEDED and not self._is_open(request.path):
                if pending is SecondFactor.ENROL:
                    return self._sent_to(request, "accounts:totp_setup")
                return self._sent_to(request, "accounts:otp_verify")
        return self.get_response(request)


class PasswordChangeMiddleware(_HoldingMiddleware):
    """After an administrator chose someone's password (a new account, a forgotten one),
    that person sets their own before anything else: whoever set it knows it."""

    _OPEN = ("accounts:password_change", "accounts:logout", "set_language")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            isinstance(user, User)
            and user.password_change_required
            and not getattr(request, "xt_second_factor_pending", False)
            and not self._is_open(request.path)
        ):
            return self._sent_to(request, "accounts:password_change")
        return self.get_response(request)


class ActorMiddleware:
    """Resolves, once per request, the membership the signed-in user acts through."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        actor = None
        pending = getattr(request, "xt_second_factor_pending", False)
        if isinstance(request.user, User) and not pending:
            actor = actor_for_user(
                user=request.user, membership_id=request.session.get(SESSION_MEMBERSHIP_KEY)
            )
            if actor is not None:  # the session's user, read once for the request
                identity_read_at_sign_in(actor=actor, user=request.user)
        request.actor = actor  # type: ignore[attr-defined]
        return self.get_response(request)
