"""The Content-Security-Policy header on every response (Django 5.2 has none of its own).

Scripts and styles come from our own static files only, never inline, so a patient's name or
a chat message that slips markup past escaping still runs nothing. WebSockets may connect to
this host only. The policy is the XT_CONTENT_SECURITY_POLICY setting; `{host}` in it stands
for the host the page was asked from, which ALLOWED_HOSTS has already vetted."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"


def policy_for(request: HttpRequest) -> str:
    directives: dict[str, str] = settings.XT_CONTENT_SECURITY_POLICY
    host = request.get_host()
    return "; ".join(
        f"{name} {value.replace('{host}', host)}".strip() for name, value in directives.items()
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.XT_CONTENT_SECURITY_POLICY and HEADER not in response:
            response[HEADER] = policy_for(request)
        return response
