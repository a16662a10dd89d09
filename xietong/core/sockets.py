"""The one base for WebSockets: who the socket acts as, and the session it belongs to.

`ActorConsumer` is every consumer's base. Its actor is resolved as a page's is (the session's
user through the chosen membership, nobody while a second factor is owed) by the resolver
accounts registers here (`socket_actor_register`), once at connect (`actor_admit`) and again,
read fresh, whenever the consumer re-checks (`actor_now`). A refused socket is accepted and
closed with a code (`refuse`) so that the page, and tests, see why.

WebSockets belong to a browser session: signing out closes them.

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
from typing import Any, Protocol

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_out
from django.utils.crypto import salted_hmac

from .actor import Actor
from .push import channel_push

CLOSE_SIGNED_OUT = 4401
CLOSE_REFUSED = 4403
log = logging.getLogger(__name__)


class ScopeActor(Protocol):
    def __call__(self, scope: dict[str, Any], *, fresh: bool = False) -> Actor | None: ...


class ScopeUser(Protocol):
    def __call__(self, scope: dict[str, Any]) -> int | None: ...


_resolvers: dict[str, Any] = {}


def socket_actor_register(*, actor: ScopeActor, user_id: ScopeUser) -> None:
    """Called once, by accounts: how a socket's scope resolves to an Actor, and to the
    signed-in person (second factor done) whatever membership they act through."""
    _resolvers.update(actor=actor, user_id=user_id)


def scope_actor(scope: dict[str, Any], *, fresh: bool = False) -> Actor | None:
    """Who the socket acts as (None: nobody, or nobody admitted yet); `fresh` reads the
    user, the session and the membership again instead of what was loaded at connect."""
    resolver: ScopeActor | None = _resolvers.get("actor")
    return resolver(scope, fresh=fresh) if resolver else None


def scope_user_id(scope: dict[str, Any]) -> int | None:
    """The signed-in person, for what is theirs whichever membership they act through
    (their notifications)."""
    resolver: ScopeUser | None = _resolvers.get("user_id")
    return resolver(scope) if resolver else None


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
    channel_push([(session_group(session_key=session_key), {"type": "session.ended"})])


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


class ActorConsumer(SessionBoundConsumer):
    """Every consumer's base: `actor_admit()` at connect, `actor_now()` on a re-check, and
    `refuse()` to close with a code the page understands."""

    actor: Actor | None = None

    async def actor_admit(self) -> Actor | None:
        self.actor = await database_sync_to_async(scope_actor)(self.scope)
        return self.actor

    async def user_admit(self) -> int | None:
        """The signed-in person's id, for a socket about what is theirs, not a membership's."""
        return await database_sync_to_async(scope_user_id)(self.scope)

    async def actor_now(self) -> Actor | None:
        self.actor = await database_sync_to_async(scope_actor)(self.scope, fresh=True)
        return self.actor

    groups_joined: tuple[str, ...] = ()

    async def groups_join(self, *groups: str) -> None:
        """Listens to these channel-layer groups, and to the session's signing out."""
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = (*self.groups_joined, *groups)
        await self.session_join()

    async def groups_leave(self) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = ()
        await self.session_leave()

    async def disconnect(self, code: int) -> None:
        await self.groups_leave()

    async def session_ended(self, event: dict[str, Any]) -> None:
        # Out of every group first: nothing may reach the socket between the close and
        # the server's disconnect.
        self.actor = None
        await self.groups_leave()
        await super().session_ended(event)

    async def refuse(self, code: int = CLOSE_REFUSED) -> None:
        """Accept-then-close, so that the browser sees the code (a socket closed before
        it was accepted shows only a failed handshake)."""
        self.actor = None
        if not self.accepted:
            await self.accept()
        await self.close(code=code)

    accepted = False

    async def accept(self, subprotocol: str | None = None, headers: Any = None) -> None:
        self.accepted = True
        await super().accept(subprotocol, headers)
