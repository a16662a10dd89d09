"""The connection page's counts of days that are over, kept once: always equal to counting
every provenance row again, before, while and after a day closes."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from ..connection import progress
from ..connection.closed_days import closed_day_count
from ..models import ClosedDay, DayResourceCount, ExchangeMessage, ResourceProvenance
from .test_connection import World, _push_results, _received, world_make

pytestmark = pytest.mark.django_db
BEIJING = dt.timezone(dt.timedelta(hours=8))
EVERYWHERE = progress.Scope(path="", name="")


@pytest.fixture
def world() -> World:
    return world_make()


def _raw(days: list[dt.date]) -> tuple[list[tuple[str, list[int], int]], list[int]]:
    """Counted the slow way, row by row in Python: (type, per day, total) and messages."""
    per: Counter[tuple[str, dt.date]] = Counter()
    for row in ResourceProvenance.objects.select_related("resource"):
        per[(row.resource.resource_type, timezone.localdate(row.received_at))] += 1
    kinds = sorted({kind for kind, day in per if day in days})
    rows = [(k, [per[(k, d)] for d in days], sum(per[(k, d)] for d in days)) for k in kinds]
    messages = Counter(timezone.localdate(m.received_at) for m in ExchangeMessage.objects.all())
    return rows, [messages[d] for d in days]


def _assert_equal_to_raw(world: World, now: dt.datetime) -> progress.DailyTable:
    region = progress.region_resources_per_day(scope=EVERYWHERE, region=None, now=now)
    rows, messages = _raw(region.days)
    assert region.rows == rows
    assert region.messages == messages
    one = progress.resources_per_day(gateway_ids=[world.connected.pk], now=now)
    assert one[world.connected.pk].rows == rows  # only this gateway sent anything
    week = progress.week_messages(gateway_ids=[world.connected.pk], now=now)
    assert week[world.connected.pk].messages == sum(messages)
    return region


def test_closed_days_count_what_the_rows_count(world: World) -> None:
    now = dt.datetime(2026, 12, 5, 18, 0, tzinfo=BEIJING)
    for n, at in enumerate(
        [
            dt.datetime(2026, 11, 28, 23, 0, tzinfo=BEIJING),  # before the week
            dt.datetime(2026, 11, 29, 0, 0, tzinfo=BEIJING),  # the week's first moment
            dt.datetime(2026, 12, 1, 9, 0, tzinfo=BEIJING),
            dt.datetime(2026, 12, 1, 23, 59, 59, tzinfo=BEIJING),
            dt.datetime(2026, 12, 4, 12, 0, tzinfo=BEIJING),
            dt.datetime(2026, 12, 5, 8, 0, tzinfo=BEIJING),  # today: counted live
        ]
    ):
        _push_results(world, f"m{n}", [f"R{n}a", f"R{n}b"][: 1 + n % 2])
        _received(f"m{n}", at)
    table = _assert_equal_to_raw(world, now)
    # The Patient was written once, before the week; the week holds 2+1+2+1+2 results.
    assert table.total == 8
    closed = set(ClosedDay.objects.values_list("day", flat=True))
    assert closed == {dt.date(2026, 11, 29) + dt.timedelta(days=d) for d in range(6)}
    # Read again: nothing counted twice, nothing closed again.
    kept = DayResourceCount.objects.count()
    _assert_equal_to_raw(world, now)
    assert DayResourceCount.objects.count() == kept
    assert not closed_day_count(day=dt.date(2026, 12, 1), now=now)


def test_a_day_that_closes_while_the_page_is_read(world: World) -> None:
    evening = dt.datetime(2026, 12, 5, 23, 50, tzinfo=BEIJING)
    _push_results(world, "e1", ["E1"])
    _received("e1", dt.datetime(2026, 12, 5, 23, 40, tzinfo=BEIJING))
    before = _assert_equal_to_raw(world, evening)
    assert before.count("Observation", dt.date(2026, 12, 5)) == 1
    # A push of the last second of the day; read a few minutes after midnight, the day is
    # over but within the margin: still counted live, with that push.
    _push_results(world, "e2", ["E2"])
    _received("e2", dt.datetime(2026, 12, 5, 23, 59, 59, tzinfo=BEIJING))
    just_after = dt.datetime(2026, 12, 6, 0, 5, tzinfo=BEIJING)
    table = _assert_equal_to_raw(world, just_after)
    assert table.count("Observation", dt.date(2026, 12, 5)) == 2
    assert not ClosedDay.objects.filter(day=dt.date(2026, 12, 5)).exists()
    # A new day's push, then a read past the margin: the 5th closes, and nothing moves.
    _push_results(world, "e3", ["E3"])
    _received("e3", dt.datetime(2026, 12, 6, 0, 10, tzinfo=BEIJING))
    later = dt.datetime(2026, 12, 6, 0, 20, tzinfo=BEIJING)
    table = _assert_equal_to_raw(world, later)
    assert ClosedDay.objects.filter(day=dt.date(2026, 12, 5)).exists()
    assert table.count("Observation", dt.date(2026, 12, 5)) == 2
    assert table.count("Observation", dt.date(2026, 12, 6)) == 1
    assert table.messages[-2:] == [2, 1]


def test_the_clock_closes_the_days_before_anyone_reads(world: World) -> None:
    from xietong.core.clock import periodic_jobs

    from ..connection.tasks import closed_days_task, week_close

    _push_results(world, "c1", ["C1"])
    _received("c1", dt.datetime(2026, 12, 3, 10, 0, tzinfo=BEIJING))
    # Ten minutes after midnight the 4th is still within the margin: five days close.
    assert week_close(now=dt.datetime(2026, 12, 5, 0, 10, tzinfo=BEIJING)) == 5
    assert not ClosedDay.objects.filter(day=dt.date(2026, 12, 4)).exists()
    assert week_close(now=dt.datetime(2026, 12, 5, 0, 20, tzinfo=BEIJING)) == 6
    kept = dict(
        DayResourceCount.objects.filter(day=dt.date(2026, 12, 3)).values_list(
            "resource_type", "resources"
        )
    )
    assert kept["Observation"] == 1
    # The page that reads later counts nothing again, and shows the same.
    _assert_equal_to_raw(world, dt.datetime(2026, 12, 5, 9, 0, tzinfo=BEIJING))
    assert DayResourceCount.objects.filter(day=dt.date(2026, 12, 3)).count() == len(kept)
    # The job is on the clock, and the task itself closes the days before today.
    assert "connection day counts" in {job.name for job in periodic_jobs()}
    closed_days_task.call()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert ClosedDay.objects.filter(day=yesterday - dt.timedelta(days=1)).exists()
