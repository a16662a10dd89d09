"""Reads: the meetings someone organises or is invited to, and a room by its UUID."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from xietong.core.actor import Actor
from xietong.core.errors import NotFound

from .meetings import meetings_visible_q
from .models import Meeting, Room


def meetings_for(*, actor: Actor) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(meetings_visible_q(actor))
        .distinct()
        .select_related("organiser")
        .prefetch_related("invitees")
        .order_by("-created_at")[:50]
    )


def get_open_room(room_uuid: uuid.UUID | str) -> Room:
    room = Room.objects.filter(uuid=room_uuid, closed_at__isnull=True).first()
    if room is None:
        raise NotFound()
    return room
