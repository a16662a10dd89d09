"""Sending thread events to everyone connected to the thread, through the channel layer."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.urls import reverse

from .models import Message, Thread


def thread_group(thread_uuid: object) -> str:
    return f"xt.thread.{thread_uuid}"


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
        "attachment_url": (
            reverse("conferencing:attachment", args=[message.uuid]) if message.attachment else ""
        ),
    }


def thread_broadcast(thread: Thread, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(thread_group(thread.uuid), event)
