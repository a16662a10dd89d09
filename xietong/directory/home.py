"""The directory's card on the home page."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.home import HomeCard


def find_an_expert_card(request: HttpRequest, actor: Actor) -> list[HomeCard]:
    # Requesting doctors are the ones who look upward for help.
    if not actor.has_role("requester"):
        return []
    return [
        HomeCard(
            title=_("Find an expert"),
            body=_(
                "Search the expert library by department, specialty, title and what the "
                "expert accepts, before you ask for a consultation."
            ),
            url=reverse("directory:experts"),
            action=_("Open the expert library"),
            order=70,
        )
    ]
