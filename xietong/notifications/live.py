"""Pushing a user's unread count to their open pages (the bell), through the channel layer."""

from __future__ import annotations

from collections.abc import Iterable

from xietong.core.push import channel_push

from .models import Notification


def user_group(user_id: int) -> str:
    return f"xt.notifications.user.{user_id}"


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def unread_count_push(user_ids: Iterable[int]) -> None:
    """Tells these users' open pages that their count changed (core/push.py). The count is
    read by each open page's socket (consumers.py), so a request pays no query for it, nor
    for people with no page open."""
    channel_push((user_group(u), {"type": "unread.changed"}) for u in sorted(set(user_ids)))
