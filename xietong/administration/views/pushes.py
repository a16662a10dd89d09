"""Pushes to hospitals that are not getting through (ADR 27): each message still waiting
after XT_PUSH_STUCK_MINUTES, with its gateway, its attempts and the last error, so the
administrator can call the hospital's IT. Platform administrators only."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from xietong.core.actor import Actor
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view
from xietong.exchange.outgoing.selectors import outgoing_stuck

from ._common import PER_PAGE, PLATFORM_MANAGERS, query_without_page


@actor_view(allowed=PLATFORM_MANAGERS)
def pushes_stuck(request: ActorRequest, actor: Actor) -> HttpResponse:
    page = Paginator(outgoing_stuck(actor=actor), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "total": page.paginator.count,
        "minutes": settings.XT_PUSH_STUCK_MINUTES,
        "query": query_without_page(request),
    }
    return render(request, "administration/pushes_stuck.html", context)
