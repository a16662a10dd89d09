"""The room's socket in the embedded mode: who is there, relaying offers and answers to
the one they are for, leaving, and the quality facts of each call."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from xietong.consultations.tests.world import make_world
from xietong.video.models import CallSession
from xietong.video.routing import websocket_urlpatterns
from xietong.video.services import room_join

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.anyio]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@sync_to_async
def _tickets() -> list[Any]:
    world = make_world()
    consultation = world.to("in_progress", mode="realtime")
    return [
        room_join(actor=a, subject_type="consultation", subject_id=str(consultation.uuid))
        for a in (world.requester, world.expert_actor)
    ]


async def _open(ticket: Any) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    path = f"/ws/video/{ticket.room.uuid}/?credential={quote(ticket.credential)}"
    socket = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
    assert (await socket.connect())[0]
    welcome = await socket.receive_json_from(timeout=5)
    assert welcome["type"] == "welcome" and welcome["mode"] == "embedded"
    return socket, welcome


async def test_two_browsers_find_each_other_relay_and_leave() -> None:
    first_ticket, second_ticket = await _tickets()
    first, first_welcome = await _open(first_ticket)
    second, second_welcome = await _open(second_ticket)

    joined = await first.receive_json_from(timeout=5)
    assert joined["type"] == "peer" and joined["state"] == "joined"
    assert joined["peer"] == second_welcome["me"]
    await first.send_json_to({"type": "hello", "to": joined["peer"]})
    here = await second.receive_json_from(timeout=5)
    assert (here["state"], here["peer"]) == ("here", first_welcome["me"])

    offer = {"sdp": {"type": "offer", "sdp": "v=0"}}
    await first.send_json_to({"type": "signal", "to": second_welcome["me"], "data": offer})
    relayed = await second.receive_json_from(timeout=5)
    assert relayed == {"type": "signal", "from": first_welcome["me"], "data": offer}
    assert await first.receive_nothing(timeout=0.2)

    await second.send_json_to({"type": "quality", "first_frame_ms": 640})
    await first.send_json_to({"type": "leave"})
    assert (await first.receive_output(timeout=5))["type"] == "websocket.close"
    await first.disconnect()
    left = await second.receive_json_from(timeout=5)
    assert (left["type"], left["state"], left["peer"]) == ("peer", "left", first_welcome["me"])
    await second.disconnect(code=1006)  # the phone lost its network

    calls = await sync_to_async(lambda: list(CallSession.objects.order_by("pk")))()
    assert [(c.drops, c.first_frame_ms) for c in calls] == [(0, None), (1, 640)]
    assert all(c.left_at is not None for c in calls)
