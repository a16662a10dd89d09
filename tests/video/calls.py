"""What the Janus tests do as a participant: join through the API, open the signalling
socket with the credential, and speak it with an aiortc peer."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import Client

from xietong.accounts.models import Membership, User
from xietong.accounts.tokens import api_token_issue
from xietong.consultations.tests.world import World, make_world
from xietong.core.actor import Actor
from xietong.video.routing import websocket_urlpatterns

from .peer import JanusPeer

# The token each credential was asked for with: a credential is bound to it, so the socket
# presents it as a native client does.
_tokens: dict[str, str] = {}


def api_join(actor: Actor, subject_id: str) -> Any:
    membership = Membership.objects.get(pk=int(actor.membership_id or 0))
    _token, key = api_token_issue(membership=membership, label="video test")
    client = Client(headers={"authorization": f"Bearer {key}"})
    response = client.post(f"/api/v1/video/rooms/consultation/{subject_id}/join")
    if response.status_code == 200:
        _tokens[response.json()["credential"]] = key
    return response


def socket_for(join: dict[str, Any], user: User | None = None) -> WebsocketCommunicator:
    path = f"{join['signalling']}?credential={quote(join['credential'])}"
    key = _tokens.get(join["credential"])
    headers = [(b"authorization", f"Bearer {key}".encode())] if key else []
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path, headers=headers)
    if user is not None:
        communicator.scope["user"] = user
    return communicator


def peer(socket: WebsocketCommunicator) -> JanusPeer:
    async def send(message: dict[str, Any]) -> None:
        await socket.send_json_to(message)

    async def receive(timeout: float) -> dict[str, Any]:
        message: dict[str, Any] = await socket.receive_json_from(timeout=timeout)
        return message

    return JanusPeer(send=send, receive=receive)


async def closed(socket: WebsocketCommunicator) -> int:
    """The close code, after whatever news of the room was still on its way."""
    while True:
        output = await socket.receive_output(timeout=10)
        if output["type"] == "websocket.close":
            return int(output.get("code", 1000))


@sync_to_async
def live_consultation() -> tuple[World, str]:
    world = make_world()
    consultation = world.to("in_progress", mode="realtime")
    return world, str(consultation.uuid)
