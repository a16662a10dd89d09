"""ws/imaging/worklist/: tells the reading centre's open worklists that a study arrived or
changed, as the consultation board is told (consultations/consumers.py).

Every step emits `imaging_reading.<action>` after commit with the centre's id (the
engine's `event_fields`), and a new request emits `imaging_reading.create`; the centre's
group is told to fetch its rows again. Only the centre's readers connect, each to their own
centre's group."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path

from xietong.core.events import event_subscribe
from xietong.core.push import channel_push
from xietong.core.sockets import ActorConsumer

from .access import READER_ROLES
from .workflow import Action


def worklist_group(centre_id: int) -> str:
    return f"xt.imaging.worklist.{centre_id}"


def _worklist_changed(name: str, payload: dict[str, Any]) -> None:
    centre_id = payload.get("centre_id")
    if centre_id is not None:
        channel_push([(worklist_group(centre_id), {"type": "worklist.changed", "event": name})])


def worklist_events_register() -> None:
    """A new request and every step of the table may change some centre's worklist."""
    event_subscribe("imaging_reading.create")(_worklist_changed)
    for action in Action:
        event_subscribe(f"imaging_reading.{action}")(_worklist_changed)


class WorklistConsumer(ActorConsumer):
    async def connect(self) -> None:
        actor = await self.actor_admit()
        if actor is None or not actor.has_role(*READER_ROLES) or actor.institution_id is None:
            await self.refuse()
            return
        await self.groups_join(worklist_group(actor.institution_id))
        await self.accept()

    async def worklist_changed(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "changed", "event": event.get("event", "")})


websocket_urlpatterns: list[URLPattern | URLResolver] = [
    path("ws/imaging/worklist/", WorklistConsumer.as_asgi()),
]
