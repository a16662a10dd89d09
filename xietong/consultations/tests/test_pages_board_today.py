"""Today's board: what the centre's wall screen shows, who may open it, and the live push."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import Client

from xietong.accounts.actors import SESSION_MEMBERSHIP_KEY
from xietong.accounts.models import User
from xietong.consultations import services as s
from xietong.consultations.consumers import websocket_urlpatterns
from xietong.consultations.tests.world import World, make_world
from xietong.core.actor import Actor


def sign_in(client: Client, actor: Actor) -> Client:
    client.force_login(User.objects.get(pk=actor.user_id))
    client.cookies["django_language"] = "zh-hans"
    return client


@pytest.mark.django_db
def test_board_lists_today_with_totals(client: Client, world: World) -> None:
    accepted = world.to("accepted")
    done = world.to("completed")
    world.to("triage")  # not yet on the board: nobody has taken it on
    text = sign_in(client, world.coordinator).get("/consultations/board/").content.decode()
    assert f"{world.centre.name} 今日会诊安排" in text
    for column in ("序号", "时间", "申请医院", "会诊科室", "会诊专家", "远程诊室"):
        assert f'<th scope="col">{column}</th>' in text
    assert accepted.number in text and done.number in text
    assert world.county.name in text and world.expert.practitioner.name in text
    assert 'data-total="today">2<' in text and 'data-total="done">1<' in text
    assert 'data-total="waiting">1<' in text
    assert 'data-ws="/ws/consultations/board/"' in text
    assert 'href="/consultations/board/"' in text  # in the centre staff's menu
    # The rows alone, for the live refresh.
    rows = client.get("/consultations/board/", HTTP_HX_REQUEST="true").content.decode()
    assert accepted.number in rows and "<html" not in rows


@pytest.mark.django_db
def test_only_the_centre_opens_the_board(client: Client, world: World) -> None:
    sign_in(client, world.requester)
    assert 'href="/consultations/board/"' not in client.get("/").content.decode()
    assert client.get("/consultations/board/").status_code == 403
    sign_in(client, world.expert_actor)
    assert client.get("/consultations/board/").status_code == 403


def _socket(actor: Actor) -> WebsocketCommunicator:
    sock = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/consultations/board/")
    sock.scope["user"] = User.objects.get(pk=actor.user_id)
    sock.scope["session"] = {SESSION_MEMBERSHIP_KEY: actor.membership_id}
    return sock


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
@pytest.mark.django_db(transaction=True)
async def test_a_transition_tells_the_open_board(client: Client) -> None:
    world: World = await sync_to_async(make_world)()
    c: Any = await sync_to_async(world.to)("assigned")
    board = await sync_to_async(_socket)(world.coordinator)
    assert (await board.connect())[0]
    await sync_to_async(s.consultation_expert_accept)(actor=world.expert_actor, consultation=c)
    got = await board.receive_json_from(timeout=5)
    assert got["type"] == "changed" and got["event"].startswith("consultation.")
    await board.disconnect()

    refused = await sync_to_async(_socket)(world.requester)
    await refused.connect()
    assert await refused.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}
