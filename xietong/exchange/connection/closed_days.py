"""Counts of days that are over, kept once, so the connection page stays fast province-wide.

Counting a week of provenance per type and day joins every version received to its resource;
over 300 gateways and 200,000 rows that took most of a second. A day that is over never
changes (`received_at` is the platform's clock at receipt), so its counts are taken once
per gateway (and type) into DayResourceCount and DayMessageCount, marked by a ClosedDay row,
and the page counts live only the days still open (today, and yesterday in the first minutes
after midnight). A day closes at the first read after CLOSE_AFTER past its end; the margin
lets a push received just before midnight, still in its transaction, commit first.

Closing is idempotent and safe to race: the ClosedDay row is inserted first in the same
transaction, so a second closer of the same day waits on its unique key, then finds it closed
and counts nothing. Days are local days in settings.TIME_ZONE, as the page shows them.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from ..models import (
    ClosedDay,
    DayMessageCount,
    DayResourceCount,
    ExchangeMessage,
    ResourceProvenance,
)

CLOSE_AFTER = dt.timedelta(minutes=15)


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def closed_days_ensure(*, days: list[dt.date], now: dt.datetime) -> set[dt.date]:
    """Close those of `days` that are over (one grouped count per day and table, once ever);
    the days among them that are closed."""
    over = [d for d in days if day_start(d + dt.timedelta(days=1)) + CLOSE_AFTER <= now]
    closed = set(ClosedDay.objects.filter(day__in=over).values_list("day", flat=True))
    for day in over:
        if day not in closed:
            closed_day_count(day=day, now=now)
            closed.add(day)
    return closed


def closed_day_count(*, day: dt.date, now: dt.datetime) -> bool:
    """Count one day that is over into the tables; False if it was closed already."""
    start, end = day_start(day), day_start(day + dt.timedelta(days=1))
    with transaction.atomic():
        try:
            with transaction.atomic():
                ClosedDay.objects.create(day=day, closed_at=now)
        except IntegrityError:
            return False  # another reader closed it first (and has committed)
        resources = (
            ResourceProvenance.objects.filter(received_at__gte=start, received_at__lt=end)
            .values("gateway_id", "resource__resource_type")
            .annotate(n=Count("id"))
            .order_by()
        )
        DayResourceCount.objects.bulk_create(
            DayResourceCount(
                day=day,
                gateway_id=row["gateway_id"],
                resource_type=row["resource__resource_type"],
                resources=row["n"],
            )
            for row in resources
        )
        messages = (
            ExchangeMessage.objects.filter(received_at__gte=start, received_at__lt=end)
            .values("gateway_id")
            .annotate(n=Count("id"), entries=Sum("entry_count"), refused=Sum("refused_count"))
            .order_by()
        )
        DayMessageCount.objects.bulk_create(
            DayMessageCount(
                day=day,
                gateway_id=row["gateway_id"],
                messages=row["n"],
                entries=row["entries"] or 0,
                refused=row["refused"] or 0,
            )
            for row in messages
        )
    return True


def open_since(*, days: list[dt.date], closed: set[dt.date]) -> dt.datetime:
    """Where live counting starts: the first of `days` not closed (days close in order, so
    every day before it is)."""
    first_open = next((d for d in days if d not in closed), days[-1] + dt.timedelta(days=1))
    return day_start(first_open)
