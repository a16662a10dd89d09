"""/manage/: the administration's areas this administrator may open."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from xietong.core.actor import Actor
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view

from ..areas import areas_open_to
from ._common import MANAGERS


@actor_view(allowed=MANAGERS)
def index(request: ActorRequest, actor: Actor) -> HttpResponse:
    return render(request, "administration/index.html", {"areas": areas_open_to(actor)})
