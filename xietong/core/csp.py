"""The Content-Security-Policy header on every response (Django 5.2 has none of its own).

Scripts and styles come from our own static files only, never inline, so a patient's name or
a chat message that slips markup past escaping still runs nothing. WebSockets may connect to
this host only. The policy is the XT_CONTENT_SECURITY_POLICY setting; `{host}` in it stands
for the host WebSockets go to: the host the page was asked from, which ALLOWED_HOSTS has
already vetted, at XT_WEBSOCKET_PORT when the WebSockets have a server of their own
(docs/adr/0016)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port

HEADER = "Content-Security-Policy"


def websocket_host(request: HttpRequest) -> str:
    """Where this page's WebSockets connect: the page's own host, or the same name at
    XT_WEBSOCKET_PORT when a process of its own serves them beside the WSGI server."""
    host = request.get_host()
    port = settings.XT_WEBSOCKET_PORT
    if not port:
        return host
    domain, _port = split_domain_port(host)
    return f"[{domain}]:{port}" if ":" in domain else f"{domain}:{port}"


def websocket_context(request: HttpRequest) -> dict[str, str]:
    """For the page's scripts (base.html): the WebSocket host when it is not the page's."""
    return {"xt_websocket_host": websocket_host(request) if settings.XT_WEBSOCKET_PORT else ""}


def policy_for(request: HttpRequest) -> str:
    directives: dict[str, str] = settings.XT_CONTENT_SECURITY_POLICY
    host = websocket_host(request)
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
