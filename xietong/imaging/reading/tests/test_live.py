"""The worklist is told at once when a study is asked for or claimed at its centre, and only
that centre's readers may listen."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from config.websockets import websocket_urlpatterns
from xietong.accounts.actors import SESSION_MEMBERSHIP_KEY
from xietong.accounts.models import User
from xietong.core.actor import Actor
from xietong.imaging.reading import services as svc

from .world import World, world_build


def _socket(actor: Actor) -> WebsocketCommunicator:
    sock = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/imaging/worklist/")
    sock.scope["user"] = User.objects.get(pk=actor.user_id)
    sock.scope["session"] = {SESSION_MEMBERSHIP_KEY: actor.membership_id}
    return sock


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
@pytest.mark.django_db(transaction=True)
async def test_a_new_request_and_a_claim_tell_the_open_worklist() -> None:
    w: World = await sync_to_async(world_build)()
    sock = await sync_to_async(_socket)(w.reader)
    assert (await sock.connect())[0]
    r: Any = await sync_to_async(w.request)()
    got = await sock.receive_json_from(timeout=5)
    assert got == {"type": "changed", "event": "imaging_reading.create"}
    await sync_to_async(svc.reading_claim)(actor=w.other_reader, reading=r)
    got = await sock.receive_json_from(timeout=5)
    assert got == {"type": "changed", "event": "imaging_reading.claim"}
    await sock.disconnect()

    refused = await sync_to_async(_socket)(w.requester)
    await refused.connect()
    assert await refused.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}
