"""The bell's WebSocket: the count on connecting, then every change after commit."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from xietong.accounts.actors import actor_for_membership
from xietong.accounts.models import User
from xietong.notifications.routing import websocket_urlpatterns
from xietong.notifications.services import notifications_mark_all_read, notify
from xietong.notifications.tests.helpers import a_membership, a_user, tell

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.anyio]


def _communicator(user: object) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/notifications/")
    communicator.scope["user"] = user
    return communicator


async def test_count_on_connect_then_live_after_each_change() -> None:
    membership = await sync_to_async(a_membership)()
    user = await sync_to_async(User.objects.get)(pk=membership.user_id)
    await sync_to_async(tell)(user.pk, "before connecting")
    bell = _communicator(user)
    connected, _ = await bell.connect()
    assert connected
    assert await bell.receive_json_from() == {"type": "unread", "count": 1}

    await sync_to_async(tell)(user.pk, "while connected")
    assert await bell.receive_json_from() == {"type": "unread", "count": 2}

    actor = await sync_to_async(actor_for_membership)(membership)
    await sync_to_async(notifications_mark_all_read)(actor=actor)
    assert await bell.receive_json_from() == {"type": "unread", "count": 0}
    await bell.disconnect()


async def test_one_notice_to_several_people_rings_each_bell_with_their_own_count() -> None:
    first, second = await sync_to_async(a_user)(), await sync_to_async(a_user)()
    await sync_to_async(tell)(first.pk, "earlier")
    bells = [_communicator(first), _communicator(second)]
    for bell in bells:
        assert (await bell.connect())[0]
    assert [await bell.receive_json_from() for bell in bells] == [
        {"type": "unread", "count": 1},
        {"type": "unread", "count": 0},
    ]

    await sync_to_async(notify)(user_ids=[first.pk, second.pk], kind="test", title="for both")

    assert [await bell.receive_json_from() for bell in bells] == [
        {"type": "unread", "count": 2},
        {"type": "unread", "count": 1},
    ]
    for bell in bells:
        await bell.disconnect()


async def test_signed_out_socket_is_refused() -> None:
    from django.contrib.auth.models import AnonymousUser

    bell = _communicator(AnonymousUser())
    connected, _ = await bell.connect()
    # Accepted only to be closed with the code, which a browser sees (a refused handshake
    # shows it only as 1006), as every socket refuses (core/sockets.py).
    assert connected
    assert await bell.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
