"""The consultation's chat over its WebSocket: an expert who declines stops receiving the
discussion at once, and reading or writing the thread is audited against the patient."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from xietong.accounts.actors import SESSION_MEMBERSHIP_KEY
from xietong.accounts.models import User
from xietong.chat.models import Thread
from xietong.chat.routing import websocket_urlpatterns
from xietong.chat.selectors import thread_history_for
from xietong.chat.services import message_post
from xietong.consultations.chat import consultation_thread
from xietong.consultations.services import consultation_expert_decline
from xietong.core.actor import Actor
from xietong.core.models import AuditEvent

from .world import World, make_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.anyio]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _socket(actor: Actor, thread: Thread) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        URLRouter(websocket_urlpatterns), f"/ws/threads/{thread.uuid}/"
    )
    communicator.scope["user"] = User.objects.get(pk=actor.user_id)
    communicator.scope["session"] = {SESSION_MEMBERSHIP_KEY: actor.membership_id}
    return communicator


@sync_to_async
def _assigned() -> tuple[World, Any, Thread]:
    world = make_world()
    consultation = world.to("assigned")
    return world, consultation, consultation_thread(consultation=consultation)


async def test_an_expert_who_declines_is_closed_out_of_the_discussion() -> None:
    world, consultation, thread = await _assigned()
    requester = await sync_to_async(_socket)(world.requester, thread)
    expert = await sync_to_async(_socket)(world.expert_actor, thread)
    assert (await requester.connect())[0] and (await expert.connect())[0]
    await requester.send_json_to({"type": "message", "body": "请您先看一下心电图"})
    assert (await expert.receive_json_from(timeout=5))["message"]["body"] == "请您先看一下心电图"
    await requester.receive_json_from(timeout=5)

    await sync_to_async(consultation_expert_decline)(
        actor=world.expert_actor, consultation=consultation, reason="出差"
    )
    closed = await expert.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4403}
    await requester.send_json_to({"type": "message", "body": "患者家属同意转院"})
    assert (await requester.receive_json_from(timeout=5))["message"]["body"] == "患者家属同意转院"
    assert await expert.receive_nothing(timeout=0.3)
    await requester.disconnect()


async def test_chat_reads_and_writes_are_audited_against_the_patient() -> None:
    world, consultation, thread = await _assigned()

    @sync_to_async
    def read_and_write() -> list[AuditEvent]:
        message_post(actor=world.requester, thread=thread, body="补充了化验单")
        thread_history_for(actor=world.coordinator, thread=thread)
        return list(
            AuditEvent.objects.filter(
                resource_type__in=["ChatThread", "ChatMessage"],
                resource_id__in=[str(thread.uuid), *[str(m.uuid) for m in thread.messages.all()]],
            )
        )

    events = await read_and_write()
    assert {(e.action, e.resource_type) for e in events} == {
        ("chat_message.create", "ChatMessage"),
        ("chat_thread.read", "ChatThread"),
    }
    assert {e.patient_id for e in events} == {consultation.patient_id}

    # The live delivery to an open page is a read of the patient's discussion too.
    sock = await sync_to_async(_socket)(world.expert_actor, thread)
    assert (await sock.connect())[0]
    await sync_to_async(message_post)(actor=world.requester, thread=thread, body="已预约CT")
    assert (await sock.receive_json_from(timeout=5))["message"]["body"] == "已预约CT"
    live = await sync_to_async(
        lambda: AuditEvent.objects.get(
            user_id=world.expert_actor.user_id,
            action="chat_thread.read",
            resource_type="ChatThread",
        )
    )()
    assert live.patient_id == consultation.patient_id and live.detail["live"] is True
    await sock.disconnect()
