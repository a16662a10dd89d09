"""Where a request came from, kept for the audit log without passing it through every call."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class RequestOrigin:
    ip: str = ""
    user_agent: str = ""


_NOWHERE = RequestOrigin()
_origin: ContextVar[RequestOrigin | None] = ContextVar("xt_request_origin", default=None)


def current_origin() -> RequestOrigin:
    return _origin.get() or _NOWHERE


def client_ip(request: HttpRequest) -> str:
    # Behind the reverse proxy the first X-Forwarded-For hop is the client.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip()[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


class RequestOriginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _origin.set(
            RequestOrigin(
                ip=client_ip(request),
                user_agent=str(request.META.get("HTTP_USER_AGENT", ""))[:300],
            )
        )
        try:
            return self.get_response(request)
        finally:
            _origin.reset(token)
