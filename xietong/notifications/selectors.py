"""Reads: a person's own notifications, and the outbox for platform administrators."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Case, IntegerField, QuerySet, Value, When

from xietong.core.actor import Actor, actor_memo
from xietong.core.errors import NotFound

from .models import Notification, OutboxMessage


def notifications_for(*, actor: Actor) -> QuerySet[Notification]:
    """Unread first, newest first within each."""
    return (
        Notification.objects.filter(recipient_id=actor.user_id)
        .annotate(
            read_rank=Case(
                When(read_at__isnull=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("read_rank", "-created_at", "-pk")
    )


def unread_count_for(actor: Actor) -> int:
    """The unread count a page shows, on the bell and beside the navigation's entry: read
    once per request (the bell keeps it live afterwards, live.py)."""
    return actor_memo(
        actor,
        "notifications.unread",
        lambda: Notification.objects.filter(
            recipient_id=actor.user_id, read_at__isnull=True
        ).count(),
    )


def can_view_outbox(actor: Actor) -> bool:
    return actor.is_platform_admin


def outbox_for(*, actor: Actor) -> QuerySet[OutboxMessage]:
    if not can_view_outbox(actor):
        raise NotFound()
    return OutboxMessage.objects.select_related("recipient").order_by("-created_at", "-pk")


def unread_recipient_ids(
    *, user_ids: Iterable[int], kind: str, subject_type: str, subject_id: str
) -> set[int]:
    """Which of these users still have an unread notification of this kind about a subject."""
    return set(
        Notification.objects.filter(
            recipient_id__in=set(user_ids),
            kind=kind,
            subject_type=subject_type,
            subject_id=subject_id,
            read_at__isnull=True,
        ).values_list("recipient_id", flat=True)
    )
