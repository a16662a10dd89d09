"""ws/threads/<uuid>/: live messages and read receipts of one thread.

The actor is resolved as the HTTP side does (ActorMiddleware): the session's user, acting
through the membership chosen in the session, and not while a second factor is owed.

Access is not decided once at connect (ADR 7). A socket delivers messages in batches: the
first message after connecting, after an access change, or once RECHECK_SECONDS have passed
opens a batch, which asks the subject's policy again (user, session and membership read
anew) and records one audited read before anything is delivered. The rest of the batch is
delivered on that answer. Access changes (a revoked grant, a transition of the subject)
reach the socket as events; it checks at once and closes with 4403 if refused. Signing out
closes it with 4401 (core/sockets.py)."""

from __future__ import annotations

import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from django.db import OperationalError
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

from xietong.accounts.actors import SESSION_MEMBERSHIP_KEY, actor_for_user
from xietong.accounts.models import User
from xietong.accounts.two_factor import SecondFactor, second_factor_needed
from xietong.core.actor import Actor
from xietong.core.errors import NotFound, ValidationFailed
from xietong.core.sockets import SessionBoundConsumer, scope_session_key, session_current

from .live import chat_user_group, thread_group
from .models import Thread
from .selectors import get_thread_for, thread_allows, thread_live_read
from .services import message_post, thread_mark_read

CLOSE_REFUSED = 4403
# How long one audited check covers the messages that follow it: long enough that a busy
# thread costs one check and one audit row a minute per socket, short enough that a change
# nobody announced (a membership switched off) takes effect within a minute.
RECHECK_SECONDS = 60.0
log = logging.getLogger(__name__)


def _second_factor_done(user: User, session: Any) -> bool:
    if second_factor_needed(user) is SecondFactor.NOT_NEEDED:
        return True
    persistent_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    return device is not None and device.user_id == user.pk


def scope_actor(scope: dict[str, Any]) -> Actor | None:
    user = scope.get("user")
    if not isinstance(user, User) or not user.is_active:
        return None
    session = scope.get("session")
    if not _second_factor_done(user, session):
        return None
    membership_id = session.get(SESSION_MEMBERSHIP_KEY) if session is not None else None
    return actor_for_user(user=user, membership_id=membership_id)


def scope_actor_now(*, scope: dict[str, Any]) -> Actor | None:
    """The socket's actor as of now. What the scope holds was loaded at connect: the user
    may since have been deactivated, the session signed out or expired, the membership
    switched or stripped of roles."""
    user = scope.get("user")
    if not isinstance(user, User):
        return None
    fresh = User.objects.filter(pk=user.pk).first()
    if fresh is None:
        return None
    session: Any = scope.get("session")
    key = scope_session_key(scope=scope)
    if key is not None:
        session = session_current(session_key=key, user_id=fresh.pk)
        if session is None:
            return None
    return scope_actor({"user": fresh, "session": session})


def _admit(scope: dict[str, Any], thread_uuid: str) -> tuple[Actor, Thread] | None:
    actor = scope_actor(scope)
    if actor is None:
        return None
    try:
        return actor, get_thread_for(actor=actor, thread_uuid=thread_uuid)
    except NotFound:
        return None


def _recheck(*, scope: dict[str, Any], thread: Thread, first: str | None) -> Actor | None:
    """The actor, if still admitted; with `first` (a message about to be delivered) the
    check opens a batch and is audited as a read."""
    actor = scope_actor_now(scope=scope)
    if actor is None:
        return None
    if first is None:
        return actor if thread_allows(actor, thread) else None
    allowed = thread_live_read(
        actor=actor, thread=thread, first=first, window_seconds=RECHECK_SECONDS
    )
    return actor if allowed else None


class ThreadConsumer(SessionBoundConsumer):
    actor: Actor | None = None
    thread: Thread | None = None
    groups_joined: tuple[str, ...] = ()
    # Until this time.monotonic() value the last audited check holds for what arrives.
    batch_until = 0.0
    refused = False

    async def connect(self) -> None:
        thread_uuid = str(self.scope["url_route"]["kwargs"]["thread_uuid"])
        admitted = await database_sync_to_async(_admit)(self.scope, thread_uuid)
        if admitted is None:
            # Accept-then-close so that the browser (and tests) see our close code.
            await self.accept()
            await self.close(code=CLOSE_REFUSED)
            return
        self.actor, self.thread = admitted
        self.groups_joined = (thread_group(self.thread.uuid), chat_user_group(self.actor.user_id))
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.session_join()
        await self.accept()

    async def _leave_groups(self) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = ()
        await self.session_leave()

    async def disconnect(self, code: int) -> None:
        await self._leave_groups()

    async def session_ended(self, event: dict[str, Any]) -> None:
        # Out of every group first: nothing may reach the socket between close and the
        # server's disconnect.
        self.refused, self.actor = True, None
        await self._leave_groups()
        await super().session_ended(event)

    async def _refuse(self) -> None:
        self.refused, self.actor = True, None
        await self._leave_groups()
        await self.close(code=CLOSE_REFUSED)

    async def _still_admitted(self, *, first: str | None = None) -> bool:
        """Whether what arrived may be delivered. Inside a batch the batch's check holds;
        otherwise ask again (a message opens a new, audited batch) and close if refused."""
        if self.refused or self.thread is None:
            return False
        if time.monotonic() < self.batch_until:
            return True
        actor = await database_sync_to_async(_recheck)(
            scope=self.scope, thread=self.thread, first=first
        )
        if actor is None:
            await self._refuse()
            return False
        self.actor = actor
        if first is not None:
            self.batch_until = time.monotonic() + RECHECK_SECONDS
        return True

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.actor is None or self.thread is None or not isinstance(content, dict):
            return
        kind = content.get("type")
        try:
            if kind == "message":
                actor = await database_sync_to_async(scope_actor_now)(scope=self.scope)
                if actor is None:
                    raise NotFound()
                self.actor = actor
                await database_sync_to_async(message_post)(
                    actor=actor, thread=self.thread, body=str(content.get("body", ""))
                )
            elif kind == "read":
                await self._mark_read(content.get("message"))
        except ValidationFailed as exc:
            fields = {k: [str(m) for m in v] for k, v in exc.fields.items()}
            await self.send_json({"type": "error", "message": str(exc.message), "fields": fields})
        except NotFound:
            # Access withdrawn since connecting (or an unknown message): stop listening.
            await self._refuse()

    async def _mark_read(self, up_to: object) -> None:
        try:
            await database_sync_to_async(thread_mark_read)(
                actor=self.actor, thread=self.thread, up_to=up_to
            )
        except OperationalError:
            # A receipt is best effort (the next one carries it): a busy database must
            # not drop the connection.
            log.warning("read receipt for thread %s not recorded", self.thread)

    async def chat_message(self, event: dict[str, Any]) -> None:
        message = event["message"]
        if await self._still_admitted(first=str(message.get("uuid", ""))):
            await self.send_json({"type": "message", "message": message})

    async def chat_read(self, event: dict[str, Any]) -> None:
        if await self._still_admitted():
            await self.send_json({"type": "read", "read": event["read"]})

    async def chat_access_changed(self, event: dict[str, Any]) -> None:
        # The cached answer may be stale: check now, and open a new batch for what follows.
        self.batch_until = 0.0
        await self._still_admitted()
