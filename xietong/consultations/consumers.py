"""ws/consultations/board/: tells the centre's open boards that the day changed.

Every transition emits `consultation.<action>` after commit (core/events.py); the centre of
that consultation is told to reload its board rows. Only the QC and coordinators of a centre
connect, and only to their own centre's group."""

from __future__ import annotations

import logging
from typing import Any

from django.urls import URLPattern, URLResolver, path

from xietong.core.events import event_subscribe
from xietong.core.push import channel_push
from xietong.core.sockets import ActorConsumer

from .access import CENTRE_ROLES
from .models import Consultation
from .workflow import Action

log = logging.getLogger(__name__)


def board_group(centre_id: int) -> str:
    return f"xt.consultations.board.{centre_id}"


def _board_changed(name: str, payload: dict[str, Any]) -> None:
    if not payload.get("consultation"):
        return
    centre_id = payload.get("centre_id")  # carried by every step's event (the engine)
    if centre_id is None:
        centre_id = (
            Consultation.objects.filter(uuid=str(payload.get("consultation", "")))
            .values_list("centre_id", flat=True)
            .first()
        )
    if centre_id is not None:
        channel_push([(board_group(centre_id), {"type": "board.changed", "event": name})])


def board_events_register() -> None:
    """Every transition of the workflow table may change some centre's board."""
    for action in Action:
        event_subscribe(f"consultation.{action}")(_board_changed)


class BoardConsumer(ActorConsumer):
    async def connect(self) -> None:
        actor = await self.actor_admit()
        if actor is None or not actor.has_role(*CENTRE_ROLES) or actor.institution_id is None:
            await self.refuse()
            return
        await self.groups_join(board_group(actor.institution_id))
        await self.accept()

    async def board_changed(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "changed", "event": event.get("event", "")})


websocket_urlpatterns: list[URLPattern | URLResolver] = [
    path("ws/consultations/board/", BoardConsumer.as_asgi()),
]
