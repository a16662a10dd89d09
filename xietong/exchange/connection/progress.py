"""What the connection page counts, each number asked of the database in one grouped query.

A gateway's state comes from its last heartbeat against two thresholds (settings): within
XT_GATEWAY_LATE_AFTER_S it is connected, within XT_GATEWAY_SILENT_AFTER_S late, after that
(or never heard from) silent; a revoked gateway is revoked whatever it last said. The same
rule is written twice, once in Python for one gateway and once as a filter for a list, and
the tests hold them to each other."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, pgettext_lazy

from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.directory.models import Institution, InstitutionGrade, Region

from ..ehr.kinds import KIND_OF_TYPE
from ..models import (
    DayMessageCount,
    DayResourceCount,
    ExchangeMessage,
    Gateway,
    ResourceProvenance,
)
from .closed_days import closed_days_ensure, day_start, open_since

# What a resource type is called at the hospital: the record's words where it has them.
TYPE_LABELS: dict[str, str | Promise] = {
    "Patient": gettext_lazy("Patients"),
    "ServiceRequest": gettext_lazy("Orders"),
    **{t: k.label for t, k in KIND_OF_TYPE.items()},
}

CONNECTED, LATE, SILENT, REVOKED = "connected", "late", "silent", "revoked"
STATES = {
    CONNECTED: pgettext_lazy("gateway state", "connected"),
    LATE: pgettext_lazy("gateway state", "late"),
    SILENT: pgettext_lazy("gateway state", "silent"),
    REVOKED: pgettext_lazy("gateway state", "revoked"),
}
# Seed 004 counts "hospitals at level II and above": in the directory, the institutions
# graded II or III (二级、三级, A or B).
LEVEL_II_AND_ABOVE = (
    InstitutionGrade.G3A,
    InstitutionGrade.G3B,
    InstitutionGrade.G2A,
    InstitutionGrade.G2B,
)
DAYS = 7


def _late_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.XT_GATEWAY_LATE_AFTER_S)


def _silent_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.XT_GATEWAY_SILENT_AFTER_S)


def gateway_state(*, active: bool, heartbeat_at: dt.datetime | None, now: dt.datetime) -> str:
    if not active:
        return REVOKED
    if heartbeat_at is None or now - heartbeat_at > _silent_after():
        return SILENT
    return CONNECTED if now - heartbeat_at <= _late_after() else LATE


def _state_filter(state: str, now: dt.datetime) -> Q:
    late, silent = now - _late_after(), now - _silent_after()
    if state == CONNECTED:
        return Q(active=True, heartbeat_at__gte=late)
    if state == LATE:
        return Q(active=True, heartbeat_at__lt=late, heartbeat_at__gte=silent)
    if state == SILENT:
        return Q(active=True) & (Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=silent))
    return Q(active=False)


@dataclass(frozen=True)
class Scope:
    """The region the actor follows: "" is every region (the platform administrator)."""

    path: str
    name: str


def connection_scope(*, actor: Actor) -> Scope:
    """The platform administrator sees every gateway; a supervisor those of their region
    (a province's authority the province, a county's the county). Anyone else: not found."""
    if actor.is_platform_admin:
        return Scope(path="", name="")
    if actor.has_role("supervisor") and actor.region_path:
        region = Region.objects.filter(path=actor.region_path).only("name").first()
        return Scope(path=actor.region_path, name=region.name if region else "")
    raise NotFound()


def connection_regions(*, scope: Scope) -> QuerySet[Region]:
    """The regions a list may be narrowed to: the scope's own and the cities and counties
    below it."""
    return Region.objects.filter(
        path__startswith=scope.path, level__in=("province", "city", "county")
    ).order_by("path")


def region_within(*, scope: Scope, code: str) -> Region | None:
    if not code:
        return None
    return Region.objects.filter(code=code, path__startswith=scope.path).first()


def _region_path(scope: Scope, region: Region | None) -> str:
    return region.path if region is not None else scope.path


def connection_gateways(
    *, scope: Scope, region: Region | None, state: str, now: dt.datetime
) -> QuerySet[Gateway]:
    """The gateways in the region (and state), by region and institution."""
    rows = (
        Gateway.objects.filter(institution__region__path__startswith=_region_path(scope, region))
        .select_related("institution", "institution__region")
        .order_by("institution__region__path", "institution__name", "name")
    )
    return rows.filter(_state_filter(state, now)) if state in STATES else rows


@dataclass(frozen=True)
class Week:
    messages: int
    entries: int
    refused: int

    @property
    def refused_percent(self) -> float | None:
        return 100 * self.refused / self.entries if self.entries else None


def week_messages(
    *, gateway_ids: list[int], now: dt.datetime, split: WeekSplit | None = None
) -> dict[int, Week]:
    """For each of these gateways (a page of the list): its messages, entries and refused
    entries over the last 7 local days: the closed days' kept counts and the open days'
    live ones, each summed in one grouped query; the list itself is counted and paged
    without them."""
    _days, closed, since = _unpack(split or week_split(now=now))
    kept = (
        DayMessageCount.objects.filter(gateway_id__in=gateway_ids, day__in=closed)
        .values("gateway_id")
        .annotate(n=Sum("messages"), entries=Sum("entries"), refused=Sum("refused"))
        .order_by()
    )
    live = (
        ExchangeMessage.objects.filter(gateway_id__in=gateway_ids, received_at__gte=since)
        .values("gateway_id")
        .annotate(n=Count("id"), entries=Sum("entry_count"), refused=Sum("refused_count"))
        .order_by()
    )
    sums: dict[int, list[int]] = {}
    for r in [*kept, *live]:
        total = sums.setdefault(r["gateway_id"], [0, 0, 0])
        total[0] += r["n"] or 0
        total[1] += r["entries"] or 0
        total[2] += r["refused"] or 0
    return {g: Week(messages=n, entries=e, refused=x) for g, (n, e, x) in sums.items()}


def _unpack(split: WeekSplit) -> tuple[list[dt.date], list[dt.date], dt.datetime]:
    return split.days, split.closed, split.since


@dataclass(frozen=True)
class Progress:
    connected_hospitals: int  # N: level II+ hospitals with a gateway that has reported
    hospitals: int  # M: level II+ hospitals in the region
    states: dict[str, int]  # gateways per state


def connection_progress(*, scope: Scope, region: Region | None, now: dt.datetime) -> Progress:
    """N of M as seed 004 counts it, and the gateways per state: two queries."""
    path = _region_path(scope, region)
    # Connected in seed 004's sense: the hospital's gateway is in use and has been heard
    # from; whether it is heard from now is its state, counted beside.
    reported = Q(
        id__in=Gateway.objects.filter(active=True, heartbeat_at__isnull=False).values(
            "institution_id"
        )
    )
    hospitals = Institution.objects.filter(
        active=True, grade__in=LEVEL_II_AND_ABOVE, region__path__startswith=path
    ).aggregate(
        m=Count("id", distinct=True),
        n=Count("id", filter=reported, distinct=True),
    )
    states = Gateway.objects.filter(institution__region__path__startswith=path).aggregate(
        **{key: Count("id", filter=_state_filter(key, now)) for key in STATES}
    )
    return Progress(connected_hospitals=hospitals["n"], hospitals=hospitals["m"], states=states)


def week_days(*, now: dt.datetime) -> list[dt.date]:
    """The last DAYS local days, oldest first, today last."""
    today = timezone.localdate(now)
    return [today - dt.timedelta(days=back) for back in range(DAYS - 1, -1, -1)]


@dataclass(frozen=True)
class WeekSplit:
    """The week's days, those closed (counts kept), and where live counting starts."""

    days: list[dt.date]
    closed: list[dt.date]
    since: dt.datetime


def week_split(*, now: dt.datetime) -> WeekSplit:
    """Closes the week's days that are over and not yet closed (once ever, at the first
    read after), then says which are: one query when nothing is left to close. A page asks
    once and hands it to each count."""
    days = week_days(now=now)
    closed = closed_days_ensure(days=days, now=now)
    since = open_since(days=days, closed=closed)
    return WeekSplit(
        days=days, closed=[d for d in days if d in closed and day_start(d) < since], since=since
    )


def resources_per_day(
    *, gateway_ids: list[int], now: dt.datetime, split: WeekSplit | None = None
) -> dict[int, DailyTable]:
    """For each gateway: resources received per type per local day over the last week (one
    per version written): kept counts for closed days, provenance for open ones, one
    grouped query each for all of them."""
    days, closed, since = _unpack(split or week_split(now=now))
    kept = (
        DayResourceCount.objects.filter(gateway_id__in=gateway_ids, day__in=closed)
        .values("gateway_id", "day", "resource_type", "resources")
        .order_by()
    )
    live = (
        ResourceProvenance.objects.filter(gateway_id__in=gateway_ids, received_at__gte=since)
        .annotate(day=TruncDate("received_at", tzinfo=timezone.get_current_timezone()))
        .values("gateway_id", "day", "resource__resource_type")
        .annotate(n=Count("id"))
        .order_by()
    )
    tables: dict[int, DailyTable] = {}
    for row in kept:
        table = tables.setdefault(row["gateway_id"], DailyTable(days=days))
        table.put(row["resource_type"], row["day"], row["resources"])
    for counted in live:
        table = tables.setdefault(counted["gateway_id"], DailyTable(days=days))
        table.put(counted["resource__resource_type"], counted["day"], counted["n"])
    return tables


def _gateway_ids(path: str) -> QuerySet[Gateway, int]:
    # A subquery of the region's gateways: the counts then read the (gateway, received_at)
    # indexes instead of joining every row to its institution and region.
    return Gateway.objects.filter(institution__region__path__startswith=path).values_list(
        "id", flat=True
    )


def region_resources_per_day(
    *, scope: Scope, region: Region | None, now: dt.datetime, split: WeekSplit | None = None
) -> DailyTable:
    """Every gateway of the region together: resources per type per day, and messages per
    day; closed days from their kept counts, open days live (four grouped queries).

    Counted live over the whole week, 200,000 provenance rows of 300 gateways took 0.3 to
    1.2 s on PostgreSQL (each version joined to its resource for the type); with the closed
    days kept, only today's rows are joined (`./xt bench connection`)."""
    path = _region_path(scope, region)
    days, closed, since = _unpack(split or week_split(now=now))
    tz = timezone.get_current_timezone()
    table = DailyTable(days=days)
    gateways = _gateway_ids(path)
    kept = (
        DayResourceCount.objects.filter(gateway_id__in=gateways, day__in=closed)
        .values("day", "resource_type")
        .annotate(n=Sum("resources"))
        .order_by()
    )
    for row in kept:
        table.put(row["resource_type"], row["day"], row["n"])
    rows = (
        ResourceProvenance.objects.filter(gateway_id__in=gateways, received_at__gte=since)
        .annotate(day=TruncDate("received_at", tzinfo=tz))
        .values("day", "resource__resource_type")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        table.put(row["resource__resource_type"], row["day"], row["n"])
    kept_messages = (
        DayMessageCount.objects.filter(gateway_id__in=gateways, day__in=closed)
        .values("day")
        .annotate(n=Sum("messages"))
        .order_by()
    )
    for row in kept_messages:
        table.put_messages(row["day"], row["n"])
    messages = (
        ExchangeMessage.objects.filter(gateway_id__in=gateways, received_at__gte=since)
        .annotate(day=TruncDate("received_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in messages:
        table.put_messages(row["day"], row["n"])
    return table


class DailyTable:
    """Counts per type (rows) and day (columns), as grouped queries returned them."""

    def __init__(self, *, days: list[dt.date]) -> None:
        self.days = days
        self._counts: dict[str, dict[dt.date, int]] = {}
        self._messages: dict[dt.date, int] = {}

    def put(self, kind: str, day: dt.date, n: int) -> None:
        self._counts.setdefault(kind, {})[day] = n

    def put_messages(self, day: dt.date, n: int) -> None:
        self._messages[day] = n

    def count(self, kind: str, day: dt.date) -> int:
        return self._counts.get(kind, {}).get(day, 0)

    @property
    def rows(self) -> list[tuple[str, list[int], int]]:
        """(type, counts per day, week's total), types by name."""
        out = []
        for kind in sorted(self._counts):
            counts = [self.count(kind, day) for day in self.days]
            out.append((kind, counts, sum(counts)))
        return out

    @property
    def labelled(self) -> list[tuple[str, str | Promise, list[int], int]]:
        """The rows with each type's name in the reader's words (the FHIR name when none)."""
        return [
            (kind, TYPE_LABELS.get(kind, kind), counts, total) for kind, counts, total in self.rows
        ]

    @property
    def messages(self) -> list[int]:
        return [self._messages.get(day, 0) for day in self.days]

    @property
    def messages_total(self) -> int:
        return sum(self._messages.values())

    @property
    def total(self) -> int:
        return sum(total for _kind, _counts, total in self.rows)

    def __bool__(self) -> bool:
        return bool(self._counts)


def late_after_minutes() -> int:
    return round(settings.XT_GATEWAY_LATE_AFTER_S / 60)


def silent_after_minutes() -> int:
    return round(settings.XT_GATEWAY_SILENT_AFTER_S / 60)
