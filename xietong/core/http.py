from __future__ import annotations

from django.http import HttpRequest

from .actor import Actor


class ActorRequest(HttpRequest):
    """A request after ActorMiddleware: `actor` is who acts, or None when signed out or
    without an active membership."""

    actor: Actor | None


class ApiRequest(HttpRequest):
    """A request to an authenticated API operation: `auth` is the Actor the token or the
    session resolved to."""

    auth: Actor
