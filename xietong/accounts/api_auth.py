"""How API requests authenticate: a bearer token, or the browser's session (with CSRF).
Either way the handler finds the Actor on request.actor."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from .actors import SESSION_MEMBERSHIP_KEY, actor_for_membership, actor_for_user
from .models import User
from .reauth import identity_read_at_sign_in
from .tokens import api_token_resolve
from .two_factor import SecondFactor, session_pending


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        resolved = api_token_resolve(token)
        if resolved is None:
            return None
        request.user = resolved.user
        actor = actor_for_membership(resolved.membership)
        # The token's query read the account and found it not locked (api_token_resolve).
        identity_read_at_sign_in(actor=actor, user=resolved.user, unlocked=True)
        request.actor = actor  # type: ignore[attr-defined]
        return actor


class SessionActorAuth(SessionAuth):
    """The signed-in browser session; Ninja checks the CSRF token for unsafe methods."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not isinstance(request.user, User):
            return None
        pending = getattr(request, "xt_second_factor_pending", None)  # SecondFactorMiddleware
        if pending is None:
            pending = session_pending(request) is not SecondFactor.NOT_NEEDED
        if pending:
            return None  # the password was right but the code is still owed
        actor = getattr(request, "actor", None) or actor_for_user(
            user=request.user, membership_id=request.session.get(SESSION_MEMBERSHIP_KEY)
        )
        if actor is None:
            return None
        request.actor = actor  # type: ignore[attr-defined]
        return actor


api_auth = [BearerTokenAuth(), SessionActorAuth()]
