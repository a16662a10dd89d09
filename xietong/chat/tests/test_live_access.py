"""An open thread socket is re-authorised: access withdrawn (announced or not) stops the
messages and closes it, signing out closes the session's sockets, and live deliveries are
audited as reads of the thread's patient, one per batch."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.models import Session
from django.test import Client

from xietong.accounts.actors import SESSION_MEMBERSHIP_KEY, actor_for_membership
from xietong.accounts.models import Membership, User
from xietong.accounts.tests.factories import make_membership
from xietong.chat import consumers
from xietong.chat.access import thread_access_register, thread_access_unregister
from xietong.chat.models import Thread
from xietong.chat.routing import websocket_urlpatterns
from xietong.chat.services import thread_for_subject
from xietong.chat.tests.helpers import SUBJECT, Admitted
from xietong.core.actor import Actor
from xietong.core.events import event_emit
from xietong.core.models import AuditEvent
from xietong.patients.grants import patient_access_grant, patient_access_revoke
from xietong.patients.models import PatientAccessGrant
from xietong.patients.tests.factories import make_patient

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.anyio]

GRANTED = "test-granted"  # a subject whose policy is a live grant to its patient
ORIGIN = (b"origin", b"http://testserver")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _granted(actor: Actor, subject_id: str) -> bool:
    return PatientAccessGrant.objects.filter(
        user_id=actor.user_id, patient_id=int(subject_id), revoked_at__isnull=True
    ).exists()


@pytest.fixture
def granted_subject() -> Iterator[None]:
    thread_access_register(GRANTED, _granted, patient=int)
    yield
    thread_access_unregister(GRANTED)


def _socket(membership: Membership, thread: Thread) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        URLRouter(websocket_urlpatterns), f"/ws/threads/{thread.uuid}/"
    )
    communicator.scope["user"] = User.objects.get(pk=membership.user_id)
    communicator.scope["session"] = {SESSION_MEMBERSHIP_KEY: membership.pk}
    return communicator


@sync_to_async
def _people() -> tuple[Membership, Membership]:
    return (
        make_membership(roles=["requester"], user__display_name="李医生"),
        make_membership(roles=["expert"], user__display_name="王教授"),
    )


@sync_to_async
def _granted_thread(a: Membership, b: Membership) -> Thread:
    """A thread about a patient both are granted, for the work "test:1"."""
    patient = make_patient(a.institution)
    for who in (a, b):
        patient_access_grant(
            actor=actor_for_membership(a), patient=patient, user_id=who.user_id, source="test:1"
        )
    return thread_for_subject(GRANTED, patient.pk, "讨论")


async def _open(membership: Membership, thread: Thread) -> WebsocketCommunicator:
    socket = await sync_to_async(_socket)(membership, thread)
    assert (await socket.connect())[0]
    return socket


async def _say(socket: WebsocketCommunicator, body: str) -> None:
    await socket.send_json_to({"type": "message", "body": body})


async def _closed_with(socket: WebsocketCommunicator) -> int:
    """The close code; anything else delivered first fails the test."""
    output = await socket.receive_output(timeout=5)
    assert output["type"] == "websocket.close", output
    return int(output["code"])


async def test_access_withdrawn_unannounced_stops_delivery_at_the_next_check(
    admitted: Admitted, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(consumers, "RECHECK_SECONDS", 0.0)  # every delivery checks again
    a, b = await _people()
    admitted.user_ids.update({a.user_id, b.user_id})
    thread = await sync_to_async(thread_for_subject)(SUBJECT, "case-1", "讨论")
    sock_a, sock_b = await _open(a, thread), await _open(b, thread)
    await _say(sock_a, "第一条")
    assert (await sock_b.receive_json_from(timeout=5))["message"]["body"] == "第一条"
    await sock_a.receive_json_from(timeout=5)

    admitted.user_ids.discard(b.user_id)  # without anyone saying so
    await _say(sock_a, "第二条")
    assert (await sock_a.receive_json_from(timeout=5))["message"]["body"] == "第二条"
    assert await _closed_with(sock_b) == 4403
    await _say(sock_a, "第三条")
    await sock_a.receive_json_from(timeout=5)
    assert await sock_b.receive_nothing(timeout=0.3)
    await sock_a.disconnect()


async def test_a_revoked_grant_closes_the_socket_at_once(granted_subject: None) -> None:
    a, b = await _people()
    thread = await _granted_thread(a, b)
    sock_a, sock_b = await _open(a, thread), await _open(b, thread)
    await _say(sock_a, "会诊前请看影像")
    await sock_a.receive_json_from(timeout=5)
    await sock_b.receive_json_from(timeout=5)  # its answer is now cached for a minute

    await sync_to_async(patient_access_revoke)(
        actor=await sync_to_async(actor_for_membership)(a), source="test:1", user_id=b.user_id
    )
    assert await _closed_with(sock_b) == 4403  # without waiting for a message
    await _say(sock_a, "影像已更新")
    assert (await sock_a.receive_json_from(timeout=5))["message"]["body"] == "影像已更新"
    assert await sock_b.receive_nothing(timeout=0.3)
    await sock_a.disconnect()


async def test_live_deliveries_are_audited_once_per_batch_against_the_patient(
    granted_subject: None,
) -> None:
    a, b = await _people()
    thread = await _granted_thread(a, b)
    sock_b = await _open(b, thread)
    sock_a = await _open(a, thread)
    for body in ("一", "二"):
        await _say(sock_a, body)
    got = [(await sock_b.receive_json_from(timeout=5))["message"] for _ in range(2)]
    # b lost some other patient: the socket checks again, and a new batch begins.
    await sync_to_async(event_emit)("patient.access_revoked", source="x", user_ids=[b.user_id])
    await _say(sock_a, "三")
    got.append((await sock_b.receive_json_from(timeout=5))["message"])
    assert [m["body"] for m in got] == ["一", "二", "三"]

    @sync_to_async
    def live_reads() -> list[AuditEvent]:
        return list(
            AuditEvent.objects.filter(
                user_id=b.user_id, action="chat_thread.read", resource_type="ChatThread"
            ).order_by("seq", "pk")
        )

    reads = await live_reads()
    # One batch for the first two, a new one after the access change.
    assert [r.detail["first"] for r in reads] == [got[0]["uuid"], got[2]["uuid"]]
    assert all(r.detail["live"] and r.resource_id == str(thread.uuid) for r in reads)
    assert {r.patient_id for r in reads} == {int(thread.subject_id)}
    await sock_a.disconnect()
    await sock_b.disconnect()


@sync_to_async
def _signed_in(membership: Membership) -> tuple[Client, str]:
    client = Client()
    client.force_login(User.objects.get(pk=membership.user_id))
    session = client.session
    session[SESSION_MEMBERSHIP_KEY] = membership.pk
    session.save()
    return client, session.session_key or ""


def _stack_socket(path: str, session_key: str) -> WebsocketCommunicator:
    from config.asgi import application

    headers = [(b"cookie", f"sessionid={session_key}".encode()), ORIGIN]
    return WebsocketCommunicator(application, path, headers=headers)


async def test_signing_out_closes_that_sessions_sockets_only(admitted: Admitted) -> None:
    a, b = await _people()
    admitted.user_ids.update({a.user_id, b.user_id})
    thread = await sync_to_async(thread_for_subject)(SUBJECT, "case-1", "讨论")
    ward, ward_key = await _signed_in(a)
    _office, office_key = await _signed_in(a)  # the same doctor, signed in elsewhere too
    chat = _stack_socket(f"/ws/threads/{thread.uuid}/", ward_key)
    bell = _stack_socket("/ws/notifications/", ward_key)
    elsewhere = _stack_socket(f"/ws/threads/{thread.uuid}/", office_key)
    for socket in (chat, bell, elsewhere):
        assert (await socket.connect())[0]
    assert (await bell.receive_json_from(timeout=5))["type"] == "unread"

    await sync_to_async(ward.logout)()
    assert await _closed_with(chat) == 4401
    assert await _closed_with(bell) == 4401
    sock_b = await _open(b, thread)
    await _say(sock_b, "还在吗")
    assert (await elsewhere.receive_json_from(timeout=5))["message"]["body"] == "还在吗"
    assert await chat.receive_nothing(timeout=0.3)
    await elsewhere.disconnect()
    await sock_b.disconnect()


async def test_a_session_gone_without_signing_out_stops_delivery(
    admitted: Admitted, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = await _people()
    admitted.user_ids.update({a.user_id, b.user_id})
    thread = await sync_to_async(thread_for_subject)(SUBJECT, "case-1", "讨论")
    _client, key = await _signed_in(a)
    chat = _stack_socket(f"/ws/threads/{thread.uuid}/", key)
    assert (await chat.connect())[0]

    monkeypatch.setattr(consumers, "RECHECK_SECONDS", 0.0)
    # Expired and cleared away (clearsessions), which sends no signal.
    await sync_to_async(lambda: Session.objects.filter(session_key=key).delete())()
    sock_b = await _open(b, thread)
    await _say(sock_b, "病人情况如何")
    await sock_b.receive_json_from(timeout=5)
    assert await _closed_with(chat) == 4403
    await sock_b.disconnect()
