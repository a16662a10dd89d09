"""The home card of meetings: the open meetings this person organised or was invited to,
each a link into its room, so a colleague's invitation is seen without opening the menu."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from xietong.core.actor import Actor
from xietong.core.home import HomeCard

from .meetings import SUBJECT, meetings_visible_q
from .models import Meeting

SHOWN = 3


def meeting_cards(request: HttpRequest, actor: Actor) -> list[HomeCard]:
    open_meetings = (
        Meeting.objects.filter(meetings_visible_q(actor), ended_at__isnull=True)
        .distinct()
        .order_by("-created_at")
    )
    found = list(open_meetings.values_list("uuid", "title")[: SHOWN + 1])
    if not found:
        return []
    count = len(found) if len(found) <= SHOWN else open_meetings.count()
    return [
        HomeCard(
            title=_("Open video meetings"),
            body=_("Meetings you organised or were invited to, open to join."),
            count=count,
            url=reverse("video:meetings"),
            action=_("All meetings"),
            items=[
                (title, reverse("video:room", args=[SUBJECT, str(key)]))
                for key, title in found[:SHOWN]
            ],
            order=40,
        )
    ]
