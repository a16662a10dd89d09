"""Pushing a user's unread count to their open pages (the bell), through the channel layer."""

from __future__ import annotations

from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import BaseChannelLayer, get_channel_layer
from django.db.models import Count

from .models import Notification


def user_group(user_id: int) -> str:
    return f"xt.notifications.user.{user_id}"


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def unread_counts(user_ids: Iterable[int]) -> dict[int, int]:
    """Each user's unread count, in one query (a user with none is 0)."""
    wanted = set(user_ids)
    counted = (
        Notification.objects.filter(recipient_id__in=wanted, read_at__isnull=True)
        .values_list("recipient_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {user_id: 0 for user_id in wanted} | dict(counted)


async def _send_all(layer: BaseChannelLayer, counts: dict[int, int]) -> None:
    for user_id, count in counts.items():
        await layer.group_send(user_group(user_id), {"type": "unread.count", "count": count})


def unread_count_push(user_ids: Iterable[int]) -> None:
    """Sends every user their count: one query for all of them, and one trip to the event
    loop for all the sends (each trip is a thread handover under ASGI)."""
    layer = get_channel_layer()
    if layer is None:
        return
    counts = unread_counts(user_ids)
    if counts:
        async_to_sync(_send_all)(layer, counts)
