"""/api/v1/notifications: the caller's notifications, their unread count, marking read."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import Query, Router, Schema

from xietong.core.api import ErrorOut
from xietong.core.http import ApiRequest
from xietong.core.paging import PageIn

from .live import unread_count
from .selectors import notifications_for
from .services import notifications_mark_all_read, notifications_mark_read

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    uuid: uuid.UUID
    kind: str
    title: str
    body: str
    url: str
    subject_type: str
    subject_id: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPageOut(Schema):
    count: int
    unread: int
    items: list[NotificationOut]


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int
    unread: int


@router.get("", response={200: NotificationPageOut})
def notification_list(request: ApiRequest, page: Query[PageIn]) -> dict[str, object]:
    """The caller's notifications, unread first, newest first."""
    rows = notifications_for(actor=request.auth)
    return {
        "count": rows.count(),
        "unread": unread_count(request.auth.user_id),
        "items": list(rows[page.offset : page.offset + page.limit]),
    }


@router.get("/unread-count", response={200: UnreadOut})
def notification_unread_count(request: ApiRequest) -> dict[str, int]:
    return {"unread": unread_count(request.auth.user_id)}


@router.post("/{notification_uuid}/read", response={200: MarkedOut, 403: ErrorOut, 404: ErrorOut})
def notification_mark_read(request: ApiRequest, notification_uuid: uuid.UUID) -> dict[str, int]:
    marked = notifications_mark_read(actor=request.auth, notification_ids=[notification_uuid])
    return {"marked": marked, "unread": unread_count(request.auth.user_id)}


@router.post("/read-all", response={200: MarkedOut, 403: ErrorOut})
def notification_mark_all_read(request: ApiRequest) -> dict[str, int]:
    marked = notifications_mark_all_read(actor=request.auth)
    return {"marked": marked, "unread": unread_count(request.auth.user_id)}
