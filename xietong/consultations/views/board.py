"""Today's consultation board of a centre (seed 003): number, time, requesting hospital,
department, expert, room, with totals; for a wall screen, kept current over a WebSocket."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from xietong.core.actor import Actor
from xietong.core.http import ActorRequest

from ..selectors import today_board
from .workspace_base import signed_in


@signed_in
def board(request: ActorRequest, actor: Actor) -> HttpResponse:
    day = today_board(actor=actor)  # NotFound (404) for anyone but the centre's staff
    context = {"board": day, "now": timezone.localtime()}
    if request.headers.get("HX-Request"):
        return render(request, "consultations/board_body.html", context)
    return render(request, "consultations/board.html", context)
