"""Free slots as a week on the reader's clock (Asia/Shanghai): the one way a slot is picked,
whether a doctor refers a patient, a desk proposes another time or a coordinator books a
consultation (scheduling/_week.html draws it, scheduling/week.css lays it out)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone

if TYPE_CHECKING:
    from .models import Slot


@dataclass
class SlotDay:
    date: dt.date
    slots: list[Slot]
    today: bool
    past: bool


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def midnight(day: dt.date) -> dt.datetime:
    """The start of a day on the reader's clock, as an aware moment."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def week_days(slots: Iterable[Slot], *, monday: dt.date, chosen: str = "") -> list[SlotDay]:
    """The seven days from `monday`, each with its slots in local time. Each slot gets
    `local` (its start on the reader's clock) and `checked` (it is the one `chosen`)."""
    today = timezone.localdate()
    by_day: dict[dt.date, list[Any]] = {}
    for s in slots:
        s.local = timezone.localtime(s.start)  # type: ignore[attr-defined]
        s.checked = bool(chosen) and str(s.uuid) == chosen  # type: ignore[attr-defined]
        by_day.setdefault(s.local.date(), []).append(s)  # type: ignore[attr-defined]
    return [
        SlotDay(date=day, slots=by_day.get(day, []), today=day == today, past=day < today)
        for day in (monday + dt.timedelta(days=n) for n in range(7))
    ]


def weeks_of(slots: Iterable[Slot], *, chosen: str = "") -> list[list[SlotDay]]:
    """Every week (Monday to Sunday) that has one of `slots`, in order: for a short list of
    free times, such as an expert's next two weeks."""
    listed = list(slots)
    mondays = sorted({monday_of(timezone.localtime(s.start).date()) for s in listed})
    return [
        week_days(
            [s for s in listed if monday_of(timezone.localtime(s.start).date()) == monday],
            monday=monday,
            chosen=chosen,
        )
        for monday in mondays
    ]
