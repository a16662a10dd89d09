"""The thread's WebSocket: live messages between people, refusals, and messages posted
over HTTP reaching open sockets."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import Client

from xietong.accounts.actors import SESSION_MEMBERSHIP_KEY
from xietong.accounts.models import Membership, User
from xietong.accounts.tests.factories import make_membership
from xietong.chat.models import Message, Thread
from xietong.chat.routing import websocket_urlpatterns
from xietong.chat.services import thread_for_subject
from xietong.chat.tests.helpers import SUBJECT, Admitted

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.anyio]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _socket(membership: Membership, thread: Thread) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        URLRouter(websocket_urlpatterns), f"/ws/threads/{thread.uuid}/"
    )
    communicator.scope["user"] = User.objects.get(pk=membership.user_id)
    communicator.scope["session"] = {SESSION_MEMBERSHIP_KEY: membership.pk}
    return communicator


@sync_to_async
def _world(admitted: Admitted) -> tuple[Membership, Membership, Thread]:
    a = make_membership(roles=["requester"], user__display_name="李医生")
    b = make_membership(roles=["expert"], user__display_name="王教授")
    admitted.user_ids.update({a.user_id, b.user_id})
    return a, b, thread_for_subject(SUBJECT, "case-1", "讨论")


async def test_two_people_see_each_others_messages_live(admitted: Admitted) -> None:
    a, b, thread = await _world(admitted)
    sock_a = await sync_to_async(_socket)(a, thread)
    sock_b = await sync_to_async(_socket)(b, thread)
    assert (await sock_a.connect())[0] and (await sock_b.connect())[0]

    await sock_a.send_json_to({"type": "message", "body": "患者胸痛两小时"})
    for sock in (sock_a, sock_b):
        got = await sock.receive_json_from(timeout=5)
        assert got["type"] == "message"
        assert (got["message"]["author"], got["message"]["body"]) == ("李医生", "患者胸痛两小时")
        assert got["message"]["institution"] == a.institution.name

    await sock_b.send_json_to({"type": "message", "body": "建议做心电图"})
    got = await sock_a.receive_json_from(timeout=5)
    assert (got["message"]["author"], got["message"]["body"]) == ("王教授", "建议做心电图")
    await sock_b.receive_json_from(timeout=5)

    # A read receipt reaches the writer.
    await sock_a.send_json_to({"type": "read", "message": got["message"]["uuid"]})
    receipt = await sock_b.receive_json_from(timeout=5)
    assert receipt["type"] == "read"
    assert (receipt["read"]["name"], receipt["read"]["seq"]) == ("李医生", got["message"]["seq"])
    await sock_a.disconnect()
    await sock_b.disconnect()


async def test_bad_input_over_the_socket_gets_an_error_and_keeps_nothing(
    admitted: Admitted,
) -> None:
    a, _b, thread = await _world(admitted)
    sock = await sync_to_async(_socket)(a, thread)
    await sock.connect()
    await sock.send_json_to({"type": "message", "body": "   "})
    got = await sock.receive_json_from(timeout=5)
    assert got["type"] == "error" and list(got["fields"]) == ["body"]
    assert await sync_to_async(Message.objects.count)() == 0
    await sock.disconnect()


async def test_an_outsider_is_refused_with_4403(admitted: Admitted) -> None:
    _a, _b, thread = await _world(admitted)
    outsider = await sync_to_async(make_membership)(roles=["expert"])
    sock = await sync_to_async(_socket)(outsider, thread)
    connected, _ = await sock.connect()
    assert connected  # accepted only to be closed with our code
    assert await sock.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}


async def test_a_message_posted_over_http_reaches_open_sockets(admitted: Admitted) -> None:
    a, b, thread = await _world(admitted)
    sock_b = await sync_to_async(_socket)(b, thread)
    await sock_b.connect()

    @sync_to_async
    def post() -> Any:
        client = Client()
        client.force_login(User.objects.get(pk=a.user_id))
        return client.post(
            f"/conferencing/threads/{thread.uuid}/messages/",
            {"body": "化验单已上传"},
            HTTP_X_REQUESTED_WITH="fetch",
        )

    response = await post()
    assert response.status_code == 201
    got = await sock_b.receive_json_from(timeout=5)
    assert got["message"]["body"] == "化验单已上传"
    await sock_b.disconnect()


async def test_the_real_stack_resolves_the_actor_from_the_session(admitted: Admitted) -> None:
    """Through config.asgi: the session cookie, the membership chosen in the session."""
    from config.asgi import application

    a, _b, thread = await _world(admitted)

    @sync_to_async
    def session_cookie(membership: Membership) -> str:
        client = Client()
        client.force_login(User.objects.get(pk=membership.user_id))
        session = client.session
        session[SESSION_MEMBERSHIP_KEY] = membership.pk
        session.save()
        return session.session_key or ""

    key = await session_cookie(a)
    headers = [(b"cookie", f"sessionid={key}".encode()), (b"origin", b"http://testserver")]
    sock = WebsocketCommunicator(application, f"/ws/threads/{thread.uuid}/", headers=headers)
    assert (await sock.connect())[0]
    await sock.send_json_to({"type": "message", "body": "经由会话"})
    got = await sock.receive_json_from(timeout=5)
    assert got["message"]["author"] == "李医生"
    await sock.disconnect()

    anonymous = WebsocketCommunicator(
        application, f"/ws/threads/{thread.uuid}/", headers=[(b"origin", b"http://testserver")]
    )
    await anonymous.connect()
    assert await anonymous.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}
