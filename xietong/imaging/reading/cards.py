"""The reading workflow's cards on the home page: what waits for a reader or a senior of
the reading centre, and the critical findings waiting for the requesting doctors' eyes.
Numbers only: no patient is named on the home page."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from xietong.core.actor import Actor
from xietong.core.home import HomeCard

from .access import can_read, can_request
from .selectors import critical_unacknowledged_count, worklist_waiting_count


def reading_cards(request: HttpRequest, actor: Actor) -> list[HomeCard]:
    cards: list[HomeCard] = []
    if can_read(actor):
        waiting = worklist_waiting_count(actor) or 0
        cards.append(HomeCard(
            title=_("Reading worklist"),
            body=_("Studies waiting to be read, and preliminary reports waiting for review."),
            count=waiting, url=reverse("imaging:worklist"), action=_("Open the worklist"),
            order=33,
        ))  # fmt: skip
    if can_request(actor):
        critical = critical_unacknowledged_count(actor) or 0
        if critical:
            cards.append(HomeCard(
                title=_("Critical findings to acknowledge"),
                body=_("Imaging reports with a critical finding nobody here has acknowledged."),
                count=critical, url=reverse("imaging:readings_mine"),
                action=_("Imaging reports"), order=5,
            ))  # fmt: skip
    return cards
