"""The connection page (接入进度), for the platform administrator (every gateway) and the
health authorities' supervisors (the gateways of their region); 404 for anyone else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.core.actor import Actor
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view

from ..models import Gateway
from . import progress
from .databases import four_databases
from .progress import DailyTable

PER_PAGE = 25
NO_MESSAGES = progress.Week(messages=0, entries=0, refused=0)


@dataclass(frozen=True)
class Row:
    gateway: Gateway
    state: str
    # Since when the oldest waiting message waits, for the `timesince` filter.
    waiting_since: dt.datetime | None
    week: progress.Week
    error_rate: float | None  # refused entries per entry over the week, in percent
    daily: DailyTable | None

    just_now: bool  # the last heartbeat came within the minute

    @property
    def state_label(self) -> str:
        return str(progress.STATES[self.state])

    @property
    def tone(self) -> str:
        return f"gateway_{self.state}"


def _row(
    gateway: Gateway, now: dt.datetime, week: progress.Week, daily: dict[int, DailyTable]
) -> Row:
    oldest = gateway.oldest_waiting_s
    return Row(
        gateway=gateway,
        state=progress.gateway_state(
            active=gateway.active, heartbeat_at=gateway.heartbeat_at, now=now
        ),
        waiting_since=(
            gateway.heartbeat_at - dt.timedelta(seconds=oldest)
            if oldest is not None and gateway.heartbeat_at is not None and gateway.queue_depth
            else None
        ),
        week=week,
        error_rate=week.refused_percent,
        just_now=gateway.heartbeat_at is not None
        and now - gateway.heartbeat_at < dt.timedelta(minutes=1),
        daily=daily.get(gateway.pk),
    )


@actor_view
def connection(request: ActorRequest, actor: Actor) -> HttpResponse:
    scope = progress.connection_scope(actor=actor)
    now = timezone.now()
    region = progress.region_within(scope=scope, code=request.GET.get("region", ""))
    state = request.GET.get("state", "")
    state = state if state in progress.STATES else ""
    listed = progress.connection_gateways(scope=scope, region=region, state=state, now=now)
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("page"))
    gateways = list(page.object_list)
    ids = [g.pk for g in gateways]
    split = progress.week_split(now=now)  # closes the days that are over, once
    weeks = progress.week_messages(gateway_ids=ids, now=now, split=split)
    daily = progress.resources_per_day(gateway_ids=ids, now=now, split=split)
    counts = progress.connection_progress(scope=scope, region=region, now=now)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "exchange/connection.html",
        {
            "scope": scope,
            "region": region,
            "regions": list(progress.connection_regions(scope=scope)),
            "state": state,
            "where": region.name if region else scope.name or _("the whole network"),
            "state_counts": [
                {
                    "code": code,
                    "label": label,
                    "tone": f"gateway_{code}",
                    "count": counts.states[code],
                }
                for code, label in progress.STATES.items()
            ],
            "progress": counts,
            "page": page,
            "rows": [_row(g, now, weeks.get(g.pk, NO_MESSAGES), daily) for g in gateways],
            "week": progress.region_resources_per_day(
                scope=scope, region=region, now=now, split=split
            ),
            "now": now,
            "query": query.urlencode(),
            "late_after_min": progress.late_after_minutes(),
            "silent_after_min": progress.silent_after_minutes(),
        },
    )


@actor_view
def databases(request: ActorRequest, actor: Actor) -> HttpResponse:
    """The four databases of seed 004 for the actor's region (or a part of it)."""
    scope = progress.connection_scope(actor=actor)
    region = progress.region_within(scope=scope, code=request.GET.get("region", ""))
    return render(
        request,
        "exchange/databases.html",
        {
            "scope": scope,
            "region": region,
            "regions": list(progress.connection_regions(scope=scope)),
            "where": region.name if region else scope.name or _("the whole network"),
            "databases": four_databases(scope=scope, region=region),
        },
    )
