"""A real call through Janus (our configuration, in a network namespace of the test's own):
two aiortc peers join a consultation's room through Xietong's API and signalling, publish
a 640×480 picture, receive each other's frames, and leave. An outsider is refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import Client

from xietong.accounts.models import Membership, User
from xietong.accounts.tokens import api_token_issue
from xietong.consultations.tests.world import World, make_world, member
from xietong.core.actor import Actor
from xietong.directory.tests.factories import InstitutionFactory
from xietong.video.models import CallSession
from xietong.video.routing import websocket_urlpatterns

from .netns import ADMIN_KEY, JanusInNamespace, janus_in_namespace, require_janus
from .peer import JanusPeer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.anyio]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def janus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JanusInNamespace]:
    require_janus()
    with janus_in_namespace(tmp_path_factory.mktemp("janus")) as running:
        yield running


@pytest.fixture
def with_janus(janus: JanusInNamespace, settings: Any) -> JanusInNamespace:
    settings.XT_JANUS_URL = janus.url
    settings.XT_JANUS_ADMIN_KEY = ADMIN_KEY
    return janus


def _api_join(actor: Actor, subject_id: str) -> Any:
    membership = Membership.objects.get(pk=int(actor.membership_id or 0))
    _token, key = api_token_issue(membership=membership, label="video test")
    client = Client(headers={"authorization": f"Bearer {key}"})
    return client.post(f"/api/v1/video/rooms/consultation/{subject_id}/join")


def _socket(join: dict[str, Any], user: User | None = None) -> WebsocketCommunicator:
    path = f"{join['signalling']}?credential={quote(join['credential'])}"
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
    if user is not None:
        communicator.scope["user"] = user
    return communicator


def _peer(socket: WebsocketCommunicator) -> JanusPeer:
    async def send(message: dict[str, Any]) -> None:
        await socket.send_json_to(message)

    async def receive(timeout: float) -> dict[str, Any]:
        message: dict[str, Any] = await socket.receive_json_from(timeout=timeout)
        return message

    return JanusPeer(send=send, receive=receive)


async def _closed(socket: WebsocketCommunicator) -> int:
    """The close code, after whatever news of the room was still on its way."""
    while True:
        output = await socket.receive_output(timeout=10)
        if output["type"] == "websocket.close":
            return int(output.get("code", 1000))


@sync_to_async
def _live_consultation() -> tuple[World, str]:
    world = make_world()
    consultation = world.to("in_progress", mode="realtime")
    return world, str(consultation.uuid)


async def test_two_doctors_see_each_other_through_janus(with_janus: JanusInNamespace) -> None:
    world, subject = await _live_consultation()
    joins = []
    for actor in (world.requester, world.expert_actor):
        response = await sync_to_async(_api_join)(actor, subject)
        assert response.status_code == 200, response.content
        joins.append(response.json())
    assert joins[0]["mode"] == "janus" and joins[0]["room"] == joins[1]["room"]
    assert "secret" not in str(joins) and "pin" not in str(joins).lower()

    sockets = [_socket(j) for j in joins]
    for socket in sockets:
        assert (await socket.connect())[0]
    county, expert = (_peer(s) for s in sockets)

    await county.join()
    await county.publish()
    await expert.join()
    # A publisher is announced once its media is up, so it may come after the welcome.
    assert await expert.wait_for_publisher() == county.feed
    await expert.publish()
    from_county = await expert.subscribe(county.feed)
    expert_feed = await county.wait_for_publisher()
    assert expert_feed == expert.feed
    from_expert = await county.subscribe(expert_feed)

    for remote in (
        await expert.frames_from(county.feed, 10),
        await county.frames_from(expert_feed, 10),
    ):
        assert remote.frames >= 10, f"only {remote.frames} frames from {remote.display}"
        assert remote.size == (640, 480)
    assert from_county.display and from_expert.display

    for peer, socket in ((county, sockets[0]), (expert, sockets[1])):
        await peer.leave()
        assert await _closed(socket) == 1000
        await socket.disconnect()
    calls: list[CallSession] = await sync_to_async(
        lambda: list(CallSession.objects.order_by("pk"))
    )()
    assert len(calls) == 2
    assert all(c.left_at is not None and c.drops == 0 for c in calls)


async def test_an_outsider_is_refused_at_the_api_and_at_the_socket(
    with_janus: JanusInNamespace,
) -> None:
    world, subject = await _live_consultation()
    outsider = await sync_to_async(
        lambda: member(InstitutionFactory(level="county", name="乙县医院"), "requester")  # type: ignore[arg-type]
    )()
    refused = await sync_to_async(_api_join)(outsider, subject)
    assert refused.status_code == 404

    # The requester's credential, presented from the outsider's signed-in page.
    response = await sync_to_async(_api_join)(world.requester, subject)
    join = response.json()
    outsider_user = await sync_to_async(User.objects.get)(pk=outsider.user_id)
    socket = _socket(join, user=outsider_user)
    assert (await socket.connect())[0]
    assert (await socket.receive_json_from(timeout=10))["type"] == "refused"
    assert await _closed(socket) == 4403

    forged = _socket({**join, "credential": join["credential"][:-3] + "abc"})
    assert (await forged.connect())[0]
    message = await forged.receive_json_from(timeout=10)
    assert message["type"] == "refused" and message["message"] == "入会凭证无效。"
    assert (await sync_to_async(CallSession.objects.count)()) == 0
