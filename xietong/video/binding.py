"""The binding of a join credential (credentials.py), as the API request that asks for one
and the socket that presents it each show it. Both look at the bearer token first, as the
API's authentication does, and at the session otherwise."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from xietong.accounts.tokens import api_token_resolve
from xietong.core.sockets import scope_session_key

from .credentials import join_binding


def _token_id(authorization: str) -> int | None:
    scheme, _sep, key = authorization.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return None
    token = api_token_resolve(key.strip())
    return token.pk if token is not None else None


def binding_for_request(*, request: HttpRequest) -> str:
    token_id = _token_id(request.headers.get("Authorization", ""))
    if token_id is not None:
        return join_binding(token_id=token_id)
    session = getattr(request, "session", None)
    return join_binding(session_key=getattr(session, "session_key", None))


def binding_for_scope(*, scope: dict[str, Any]) -> str:
    headers = dict(scope.get("headers") or [])
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    token_id = _token_id(authorization)
    if token_id is not None:
        return join_binding(token_id=token_id)
    return join_binding(session_key=scope_session_key(scope=scope))
