"""A join credential admits only the session (or API token) that asked for it; signing out
closes the room's socket, and someone who loses the subject is asked to leave."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import Client

from xietong.accounts.actors import SESSION_MEMBERSHIP_KEY
from xietong.accounts.models import Membership, User
from xietong.accounts.tokens import api_token_issue
from xietong.consultations.tests.world import World, make_world
from xietong.core.actor import Actor
from xietong.core.events import event_emit
from xietong.video.access import room_access_register, room_access_unregister
from xietong.video.models import CallSession
from xietong.video.routing import websocket_urlpatterns
from xietong.video.services import room_join

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.anyio]

ORIGIN = (b"origin", b"http://testserver")
ANOTHER_SIGN_IN = "该入会凭证是在另一处登录中申请的，请在此处重新加入。"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@sync_to_async
def _live() -> tuple[World, str]:
    world = make_world()
    return world, str(world.to("in_progress", mode="realtime").uuid)


@sync_to_async
def _signed_in(actor: Actor) -> tuple[Client, str]:
    client = Client()
    client.force_login(User.objects.get(pk=actor.user_id))
    session = client.session
    session[SESSION_MEMBERSHIP_KEY] = actor.membership_id
    session.save()
    return client, session.session_key or ""


@sync_to_async
def _join(client: Client, subject: str) -> dict[str, Any]:
    response = client.post(f"/api/v1/video/rooms/consultation/{subject}/join")
    assert response.status_code == 200, response.content
    answer: dict[str, Any] = response.json()
    return answer


def _path(join: dict[str, Any]) -> str:
    return f"{join['signalling']}?credential={quote(join['credential'])}"


def _from_session(join: dict[str, Any], session_key: str | None) -> WebsocketCommunicator:
    """Through config.asgi, as a browser page: the session cookie, when there is one."""
    from config.asgi import application

    headers = [ORIGIN]
    if session_key:
        headers.append((b"cookie", f"sessionid={session_key}".encode()))
    return WebsocketCommunicator(application, _path(join), headers=headers)


def _with_token(join: dict[str, Any], key: str | None) -> WebsocketCommunicator:
    headers = [(b"authorization", f"Bearer {key}".encode())] if key else []
    return WebsocketCommunicator(URLRouter(websocket_urlpatterns), _path(join), headers=headers)


async def _first(socket: WebsocketCommunicator) -> dict[str, Any]:
    assert (await socket.connect())[0]
    message: dict[str, Any] = await socket.receive_json_from(timeout=5)
    return message


async def _refused(socket: WebsocketCommunicator) -> str:
    message = await _first(socket)
    assert message["type"] == "refused", message
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}
    await socket.disconnect(code=4403)
    return str(message["message"])


async def test_a_credential_is_refused_from_any_other_session() -> None:
    world, subject = await _live()
    page, page_key = await _signed_in(world.requester)
    join = await _join(page, subject)

    # The same doctor signed in on another computer, a colleague's session, nobody's.
    _elsewhere, elsewhere_key = await _signed_in(world.requester)
    _colleague, colleague_key = await _signed_in(world.coordinator)
    for key in (elsewhere_key, colleague_key, None):
        assert await _refused(_from_session(join, key)) == ANOTHER_SIGN_IN
    assert await sync_to_async(CallSession.objects.count)() == 0

    mine = _from_session(join, page_key)
    assert (await _first(mine))["type"] == "welcome"
    await mine.send_json_to({"type": "leave"})
    await mine.disconnect()


async def test_a_credential_asked_for_with_a_token_needs_that_token() -> None:
    world, subject = await _live()

    @sync_to_async
    def tokens() -> tuple[str, str]:
        membership = Membership.objects.get(pk=int(world.requester.membership_id or 0))
        return api_token_issue(membership=membership)[1], api_token_issue(membership=membership)[1]

    key, other_key = await tokens()
    join = await _join(Client(headers={"authorization": f"Bearer {key}"}), subject)
    for presented in (None, other_key):
        assert await _refused(_with_token(join, presented)) == ANOTHER_SIGN_IN
    app = _with_token(join, key)
    assert (await _first(app))["type"] == "welcome"
    await app.disconnect()


async def test_signing_out_closes_the_room_socket_as_leaving() -> None:
    world, subject = await _live()
    page, page_key = await _signed_in(world.requester)
    socket = _from_session(await _join(page, subject), page_key)
    assert (await _first(socket))["type"] == "welcome"

    await sync_to_async(page.logout)()
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}
    await socket.disconnect(code=4401)
    # database_sync_to_async hands its connection back (PostgreSQL drops the test database).
    call = await database_sync_to_async(CallSession.objects.get)()
    assert call.left_at is not None and call.drops == 0


@pytest.fixture
def admitted() -> Iterator[set[int]]:
    users: set[int] = set()
    room_access_register("test-room", lambda actor, _id: actor.user_id in users)
    yield users
    room_access_unregister("test-room")


async def test_someone_whose_access_is_revoked_is_asked_to_leave(admitted: set[int]) -> None:
    world, _subject = await _live()
    admitted.add(world.expert_actor.user_id)
    ticket = await sync_to_async(room_join)(
        actor=world.expert_actor, subject_type="test-room", subject_id="1"
    )
    join = {"signalling": f"/ws/video/{ticket.room.uuid}/", "credential": ticket.credential}
    socket = _with_token(join, None)
    assert (await _first(socket))["type"] == "welcome"

    admitted.clear()
    await sync_to_async(event_emit)(
        "patient.access_revoked", source="test", user_ids=[world.expert_actor.user_id]
    )
    message = await socket.receive_json_from(timeout=5)
    assert message == {"type": "refused", "message": "您无权进入该会议室。"}
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}
    await socket.disconnect(code=4403)
