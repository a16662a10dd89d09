"""{% video_join subject_type subject_id %}: a "join video" control, shown only to someone
the subject's owner admits, and only from a little before the booked time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from xietong.video import conf
from xietong.video.access import room_access_allows, room_subject

register = template.Library()


def join_open(subject_type: str, subject_id: str, now: dt.datetime | None = None) -> bool:
    """Open when the owner names no time, or from XT_VIDEO_OPEN_BEFORE_MINUTES before it."""
    subject = room_subject(subject_type)
    if subject is None:
        return False
    opens_at = subject.opens_at(subject_id) if subject.opens_at else None
    if opens_at is None:
        return True
    lead = dt.timedelta(minutes=conf.open_before_minutes())
    return (now or timezone.now()) >= opens_at - lead


@register.simple_tag(takes_context=True)
def video_join(context: Any, subject_type: str, subject_id: object) -> SafeString:
    actor = context.get("actor")
    sid = str(subject_id)
    if actor is None or not room_access_allows(actor, subject_type, sid):
        return SafeString("")
    if not join_open(subject_type, sid):
        return SafeString("")
    subject = room_subject(subject_type)
    opens_at = subject.opens_at(sid) if subject and subject.opens_at else None
    url = reverse("video:room", kwargs={"subject_type": subject_type, "subject_id": sid})
    return render_to_string(
        "video/_join.html", {"url": url, "opens_at": opens_at}, request=context.get("request")
    )
