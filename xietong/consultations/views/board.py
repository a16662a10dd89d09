"""Today's consultation board of a centre (seed 003): number, time, requesting hospital,
department, expert, room, with totals; for a wall screen, kept current over a WebSocket."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from xietong.core.actor import Actor
from xietong.core.http import ActorRequest
from xietong.core.nav import NavItem, nav_register
from xietong.core.pages import actor_view

from ..access import CENTRE_ROLES
from ..consumers import board_events_register
from ..selectors import today_board


def board_register() -> None:
    """At start-up: the board in the centre staff's menu, and its live refresh."""
    board_events_register()
    nav_register(
        NavItem(
            gettext_lazy("Today's board"),
            "consultations:board",
            roles=CENTRE_ROLES,
            order=33,
            icon="display",
        )
    )


@actor_view
def board(request: ActorRequest, actor: Actor) -> HttpResponse:
    day = today_board(actor=actor)  # NotPermitted (403) for anyone but the centre's staff
    context = {"board": day, "now": timezone.localtime()}
    if request.headers.get("HX-Request"):
        return render(request, "consultations/board_body.html", context)
    return render(request, "consultations/board.html", context)
