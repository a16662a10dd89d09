"""Pushing a user's unread count to their open pages (the bell), through the channel layer."""

from __future__ import annotations

from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import BaseChannelLayer, get_channel_layer

from .models import Notification


def user_group(user_id: int) -> str:
    return f"xt.notifications.user.{user_id}"


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


async def _send_all(layer: BaseChannelLayer, user_ids: set[int]) -> None:
    for user_id in user_ids:
        await layer.group_send(user_group(user_id), {"type": "unread.changed"})


def unread_count_push(user_ids: Iterable[int]) -> None:
    """Tells these users' open pages that their count changed, in one trip to the event loop
    for all (each trip is a thread handover). The count is read by each open page's socket
    (consumers.py), so a request pays no query for it, nor for people with no page open."""
    layer = get_channel_layer()
    wanted = set(user_ids)
    if layer is None or not wanted:
        return
    async_to_sync(_send_all)(layer, wanted)
