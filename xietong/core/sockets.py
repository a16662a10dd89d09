"""WebSockets that belong to a browser session: signing out closes them.

A page's sockets authenticate once, from the session cookie, when they connect. Signing out
(by the user, or by the idle timeout, which signs out through the same call) must end them
too, or a shared ward computer keeps showing a patient's discussion after its user left.
Every socket opened with a session joins a group named after that session; Django's
user_logged_out signal tells the group to close.

The group is named by a keyed digest of the session key, not by the key: group names travel
through Redis, where a session key would be a credential lying about."""

from __future__ import annotations

import logging
from importlib import import_module
from typing import Any

from asgiref.sync import async_to_sync
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_out
from django.utils.crypto import salted_hmac

CLOSE_SIGNED_OUT = 4401
log = logging.getLogger(__name__)


def session_group(*, session_key: str) -> str:
    digest = salted_hmac("xietong.core.sockets.session", session_key).hexdigest()[:40]
    return f"xt.session.{digest}"


def scope_session_key(*, scope: dict[str, Any]) -> str | None:
    """The session the socket was opened with; None without one (a plain dict in tests)."""
    key = getattr(scope.get("session"), "session_key", None)
    return str(key) if key else None


def session_current(*, session_key: str, user_id: int) -> dict[str, Any] | None:
    """The session's data as stored now, if it still signs in `user_id`; None once it was
    signed out, expired, or signed in someone else. A socket asks this when it re-checks,
    since the copy it loaded when connecting never changes."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    data: dict[str, Any] = store.load()
    if str(data.get(SESSION_KEY, "")) != str(user_id):
        return None
    return data


def session_sockets_close(*, session_key: str) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    group = session_group(session_key=session_key)
    async_to_sync(layer.group_send)(group, {"type": "session.ended"})


def _on_logged_out(sender: object, request: Any = None, **kwargs: Any) -> None:
    key = getattr(getattr(request, "session", None), "session_key", None)
    if not key:
        return
    try:
        session_sockets_close(session_key=str(key))
    except Exception:
        # Signing out must succeed even when the channel layer is down; the sockets then
        # find the session gone at their next re-check.
        log.exception("could not tell the sockets of a signed-out session to close")


def session_sockets_connect() -> None:
    """Called once from an AppConfig.ready(): signing out closes the session's sockets."""
    user_logged_out.connect(_on_logged_out, dispatch_uid="xt_sockets_logged_out")


class SessionBoundConsumer(AsyncJsonWebsocketConsumer):
    """A consumer whose socket closes (4401) when the session it was opened with signs out.
    Call session_join() once admitted and session_leave() on disconnect."""

    session_group_name = ""

    async def session_join(self) -> None:
        key = scope_session_key(scope=self.scope)
        if key is None:
            return
        self.session_group_name = session_group(session_key=key)
        await self.channel_layer.group_add(self.session_group_name, self.channel_name)

    async def session_leave(self) -> None:
        if self.session_group_name:
            await self.channel_layer.group_discard(self.session_group_name, self.channel_name)
            self.session_group_name = ""

    async def session_ended(self, event: dict[str, Any]) -> None:
        await self.session_leave()
        await self.close(code=CLOSE_SIGNED_OUT)
