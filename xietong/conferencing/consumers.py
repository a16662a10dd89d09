"""ws/threads/<uuid>/: live messages and read receipts of one thread.

The actor is resolved as the HTTP side does (ActorMiddleware): the session's user, acting
through the membership chosen in the session, and not while a second factor is owed."""

from __future__ import annotations

import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.db import OperationalError
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

from xietong.accounts.actors import SESSION_MEMBERSHIP_KEY, actor_for_user
from xietong.accounts.models import User
from xietong.accounts.two_factor import SecondFactor, second_factor_needed
from xietong.core.actor import Actor
from xietong.core.errors import NotFound, ValidationFailed

from .live import thread_group
from .models import Thread
from .selectors import get_thread_for
from .services import message_post, thread_mark_read

CLOSE_REFUSED = 4403
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


def _admit(scope: dict[str, Any], thread_uuid: str) -> tuple[Actor, Thread] | None:
    actor = scope_actor(scope)
    if actor is None:
        return None
    try:
        return actor, get_thread_for(actor=actor, thread_uuid=thread_uuid)
    except NotFound:
        return None


class ThreadConsumer(AsyncJsonWebsocketConsumer):
    actor: Actor | None = None
    thread: Thread | None = None
    group: str | None = None

    async def connect(self) -> None:
        thread_uuid = str(self.scope["url_route"]["kwargs"]["thread_uuid"])
        admitted = await database_sync_to_async(_admit)(self.scope, thread_uuid)
        if admitted is None:
            # Accept-then-close so that the browser (and tests) see our close code.
            await self.accept()
            await self.close(code=CLOSE_REFUSED)
            return
        self.actor, self.thread = admitted
        self.group = thread_group(self.thread.uuid)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.actor is None or self.thread is None or not isinstance(content, dict):
            return
        kind = content.get("type")
        try:
            if kind == "message":
                await database_sync_to_async(message_post)(
                    actor=self.actor, thread=self.thread, body=str(content.get("body", ""))
                )
            elif kind == "read":
                await self._mark_read(content.get("message"))
        except ValidationFailed as exc:
            fields = {k: [str(m) for m in v] for k, v in exc.fields.items()}
            await self.send_json({"type": "error", "message": str(exc.message), "fields": fields})
        except NotFound:
            # Access withdrawn since connecting (or an unknown message): stop listening.
            await self.close(code=CLOSE_REFUSED)

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
        await self.send_json({"type": "message", "message": event["message"]})

    async def chat_read(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "read", "read": event["read"]})
