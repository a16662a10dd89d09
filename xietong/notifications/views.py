"""The notifications pages: the list (unread first) and, for platform administrators, the
SMS/e-mail outbox. Views parse and render; the rules are in services and selectors."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from xietong.core.actor import Actor
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view

from .models import OutboxStatus
from .selectors import notifications_for, outbox_for, unread_count_for
from .services import notifications_mark_all_read, notifications_mark_read

PAGE_SIZE = 30


def bell(request: Any, actor: Actor) -> SafeString:
    """The header widget: the count rendered now, kept live by bell.js over WebSocket."""
    return render_to_string(
        "notifications/_bell.html", {"unread": unread_count_for(actor)}, request=request
    )


@actor_view
def notification_list(request: ActorRequest, actor: Actor) -> HttpResponse:
    page = Paginator(notifications_for(actor=actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread": unread_count_for(actor)},
    )


@actor_view
@require_POST
def mark_read(request: ActorRequest, actor: Actor) -> HttpResponseBase:
    ids = request.POST.getlist("notification")
    notifications_mark_read(actor=actor, notification_ids=ids)
    # "Open" marks it read and follows its link; the link is ours, never another site.
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")


@actor_view
@require_POST
def mark_all_read(request: ActorRequest, actor: Actor) -> HttpResponseBase:
    notifications_mark_all_read(actor=actor)
    return redirect("notifications:list")


@actor_view
def outbox(request: ActorRequest, actor: Actor) -> HttpResponse:
    messages = outbox_for(actor=actor)
    status = request.GET.get("status", "")
    if status:
        messages = messages.filter(status=status)
    page = Paginator(messages, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({"status": status}) if status else ""
    context = {
        "page": page,
        "status": status,
        "statuses": OutboxStatus.choices,
        "query": query,
    }
    return render(request, "notifications/outbox.html", context)
