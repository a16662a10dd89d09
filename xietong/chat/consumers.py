"""ws/threads/<uuid>/: live messages and read receipts of one thread.

The actor is resolved as the HTTP side does (core/sockets.py ActorConsumer): the session's
user, acting through the membership chosen in the session, and not while a second factor
is owed.

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

from xietong.core.actor import Actor
from xietong.core.errors import NotFound, ValidationFailed
from xietong.core.sockets import ActorConsumer, scope_actor

from .live import chat_user_group, subject_group, thread_group
from .models import Thread
from .selectors import get_thread_for, thread_allows, thread_live_read
from .services import message_post, thread_mark_read

# How long one audited check covers the messages that follow it: long enough that a busy
# thread costs one check and one audit row a minute per socket, short enough that a change
# nobody announced (a membership switched off) takes effect within a minute.
RECHECK_SECONDS = 60.0
log = logging.getLogger(__name__)


def _admit(actor: Actor, thread_uuid: str) -> Thread | None:
    try:
        return get_thread_for(actor=actor, thread_uuid=thread_uuid)
    except NotFound:
        return None


def _recheck(*, scope: dict[str, Any], thread: Thread, first: str | None) -> Actor | None:
    """The actor, if still admitted; with `first` (a message about to be delivered) the
    check opens a batch and is audited as a read."""
    actor = scope_actor(scope, fresh=True)
    if actor is None:
        return None
    if first is None:
        return actor if thread_allows(actor, thread) else None
    allowed = thread_live_read(
        actor=actor, thread=thread, first=first, window_seconds=RECHECK_SECONDS
    )
    return actor if allowed else None


class ThreadConsumer(ActorConsumer):
    thread: Thread | None = None
    # Until this time.monotonic() value the last audited check holds for what arrives.
    batch_until = 0.0
    refused = False

    async def connect(self) -> None:
        thread_uuid = str(self.scope["url_route"]["kwargs"]["thread_uuid"])
        actor = await self.actor_admit()
        thread = await database_sync_to_async(_admit)(actor, thread_uuid) if actor else None
        if actor is None or thread is None:
            await self.refuse()
            return
        self.thread = thread
        await self.groups_join(
            thread_group(thread.uuid),
            subject_group(thread.subject_type, thread.subject_id),
            chat_user_group(actor.user_id),
        )
        await self.accept()

    async def session_ended(self, event: dict[str, Any]) -> None:
        self.refused = True
        await super().session_ended(event)

    async def _refuse(self) -> None:
        self.refused = True
        await self.groups_leave()
        await self.refuse()

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
                actor = await self.actor_now()
                if actor is None:
                    raise NotFound()
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
