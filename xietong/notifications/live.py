"""Pushing a user's unread count to their open pages (the bell), through the channel layer."""

from __future__ import annotations

from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from .models import Notification


def user_group(user_id: int) -> str:
    return f"xt.notifications.user.{user_id}"


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def unread_count_push(user_ids: Iterable[int]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(layer.group_send)
    for user_id in user_ids:
        send(user_group(user_id), {"type": "unread.count", "count": unread_count(user_id)})
