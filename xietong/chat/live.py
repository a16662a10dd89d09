"""Sending thread events to everyone connected to the thread, through the channel layer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from xietong.core.push import channel_push

from .models import Message, Thread


def thread_group(thread_uuid: object) -> str:
    return f"xt.thread.{thread_uuid}"


def subject_group(subject_type: str, subject_id: object) -> str:
    """The sockets of the thread about this subject, named by the subject: whoever changes
    the subject tells them without looking the thread up."""
    return f"xt.thread-of.{subject_type}.{subject_id}"


def message_payload(message: Message) -> dict[str, Any]:
    return {
        "uuid": str(message.uuid),
        "seq": message.pk,
        "author_id": message.author_id,
        "author": message.author_name,
        "institution": message.author_institution,
        "body": message.body,
        "created_at": message.created_at.isoformat(),
        "attachment_name": message.attachment_name,
        "attachment_url": attachment_url(message),
    }


def attachment_url(message: Message) -> str:
    return reverse("conferencing:attachment", args=[message.uuid]) if message.attachment else ""


def thread_broadcast(thread: Thread, event: dict[str, Any]) -> None:
    channel_push([(thread_group(thread.uuid), event)])


# ------------------------------------------------------------- access changes
#
# A socket checks access when it connects and then caches the answer (consumers.py). Who
# changes someone's access says so here, and the sockets concerned check again at once and
# close if refused: by person (a revoked grant names the people who lost it) or by thread
# (the subject's owner changed its state, which may change anyone's access).


def chat_user_group(user_id: int) -> str:
    return f"xt.chat.user.{user_id}"


def chat_access_changed_for_users(*, user_ids: Iterable[int]) -> None:
    channel_push(
        (chat_user_group(int(user_id)), {"type": "chat.access_changed"})
        for user_id in sorted(set(user_ids))
    )


def chat_access_changed_for_subject(*, subject_type: str, subject_id: object) -> None:
    channel_push([(subject_group(subject_type, subject_id), {"type": "chat.access_changed"})])


def on_patient_access_revoked(name: str, payload: dict[str, Any]) -> None:
    """Event handler (patients' grants): the people who lost a patient check their threads."""
    chat_access_changed_for_users(user_ids=[int(u) for u in payload.get("user_ids") or []])
