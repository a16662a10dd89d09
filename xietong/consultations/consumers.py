"""ws/consultations/board/: tells the centre's open boards that the day changed.

Every transition emits `consultation.<action>` after commit (core/events.py); the centre of
that consultation is told to reload its board rows. Only the QC and coordinators of a centre
connect, and only to their own centre's group."""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.urls import URLPattern, URLResolver, path

from xietong.conferencing.consumers import scope_actor
from xietong.core.events import event_subscribe

from .access import CENTRE_ROLES
from .models import Consultation
from .workflow import Action

CLOSE_REFUSED = 4403
log = logging.getLogger(__name__)


def board_group(centre_id: int) -> str:
    return f"xt.consultations.board.{centre_id}"


def _board_changed(name: str, payload: dict[str, Any]) -> None:
    if not payload.get("consultation"):
        return
    centre_id = (
        Consultation.objects.filter(uuid=str(payload.get("consultation", "")))
        .values_list("centre_id", flat=True)
        .first()
    )
    layer = get_channel_layer()
    if centre_id is None or layer is None:
        return
    async_to_sync(layer.group_send)(
        board_group(centre_id), {"type": "board.changed", "event": name}
    )


def board_events_register() -> None:
    """Every transition of the workflow table may change some centre's board."""
    for action in Action:
        event_subscribe(f"consultation.{action}")(_board_changed)


def _centre_of(scope: dict[str, Any]) -> int | None:
    actor = scope_actor(scope)
    if actor is None or not actor.has_role(*CENTRE_ROLES):
        return None
    return actor.institution_id


class BoardConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        centre_id = await database_sync_to_async(_centre_of)(self.scope)
        if centre_id is None:
            # Accept-then-close so that the browser (and tests) see our close code.
            await self.accept()
            await self.close(code=CLOSE_REFUSED)
            return
        self.group = board_group(centre_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def board_changed(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "changed", "event": event.get("event", "")})


websocket_urlpatterns: list[URLPattern | URLResolver] = [
    path("ws/consultations/board/", BoardConsumer.as_asgi()),
]
