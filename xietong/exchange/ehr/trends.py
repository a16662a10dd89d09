"""Lab trends: the numeric results of one test over time (one code, one unit), with the
reference range and a small sparkline drawn on the server as inline SVG coordinates."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .summary import concept_text, observation_flag, quantity_text, range_text

LOINC = "http://loinc.org"
WIDTH, HEIGHT, PAD = 160, 40, 4
# A trend shows its latest values: enough to see the course, few enough for a phone's page.
POINTS = 30


def trend_key(resource: dict[str, Any]) -> str:
    """Which test a result is, across hospitals: its LOINC code when it has one (hospitals
    code their tests in their own systems too), else its first coding, else its name; with
    its unit, since values in different units are not one line."""
    concept = resource.get("code") or {}
    codings = [c for c in concept.get("coding") or [] if isinstance(c, dict) and c.get("code")]
    loinc = [c for c in codings if c.get("system") == LOINC]
    chosen = (loinc or codings or [{}])[0]
    code = f"{chosen.get('system', '')}|{chosen['code']}" if chosen else concept_text(concept)
    unit = quantity_text(resource.get("valueQuantity"))[1]
    return hashlib.sha1(f"{code}#{unit}".encode()).hexdigest()[:10]  # noqa: S324 (a name)


@dataclass
class Point:
    at: dt.datetime | None
    value: float
    shown: str
    flag: str
    institution: str
    x: float = 0.0
    y: float = 0.0


@dataclass
class Trend:
    key: str
    label: str
    unit: str
    reference: str = ""
    low: float | None = None
    high: float | None = None
    points: list[Point] = field(default_factory=list)  # oldest first, the latest POINTS
    # How many values the test has among the results read (more than shown when > POINTS).
    count: int = 0
    # The sparkline: the polyline's points and the reference band (y and height), in px.
    path: str = ""
    band: tuple[float, float] | None = None
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def latest(self) -> Point:
        return self.points[-1]

    @property
    def newest_first(self) -> list[Point]:
        return self.points[::-1]


def _draw(trend: Trend) -> None:
    values = [p.value for p in trend.points]
    bounds = [b for b in (trend.low, trend.high) if b is not None]
    lo, hi = min(values + bounds), max(values + bounds)
    span = (hi - lo) or 1.0
    times = [p.at.timestamp() if p.at else float(i) for i, p in enumerate(trend.points)]
    first, last = times[0], times[-1]

    def y_of(v: float) -> float:
        return round(HEIGHT - PAD - (v - lo) / span * (HEIGHT - 2 * PAD), 1)

    for i, (p, t) in enumerate(zip(trend.points, times, strict=True)):
        share = (t - first) / (last - first) if last > first else i / max(len(times) - 1, 1)
        p.x, p.y = round(PAD + share * (WIDTH - 2 * PAD), 1), y_of(p.value)
    trend.path = " ".join(f"{p.x},{p.y}" for p in trend.points)
    if trend.low is not None or trend.high is not None:
        top = y_of(trend.high if trend.high is not None else hi)
        bottom = y_of(trend.low if trend.low is not None else lo)
        trend.band = (top, round(bottom - top, 1))


def trends_of(rows: list[tuple[dict[str, Any], dt.datetime | None, str]]) -> list[Trend]:
    """The trends of the numeric results among `rows` (content, date, institution), oldest
    first: only tests with two values or more."""
    groups: dict[str, Trend] = {}
    members: dict[str, list[Point]] = defaultdict(list)
    for content, at, institution in rows:
        quantity = content.get("valueQuantity") or {}
        raw = quantity.get("value")
        if not isinstance(raw, (int, float)):
            continue
        key = trend_key(content)
        shown, unit = quantity_text(quantity)
        if key not in groups:
            groups[key] = Trend(key=key, label=concept_text(content.get("code")), unit=unit)
        reference, low, high = range_text(content)
        if reference:  # the latest range given wins (rows come oldest first)
            trend = groups[key]
            trend.reference, trend.low, trend.high = reference, low, high
        flag = observation_flag(content, float(raw))
        members[key].append(Point(at, float(raw), shown, flag, institution))
    found = []
    for key, trend in groups.items():
        if len(members[key]) >= 2:
            trend.points = members[key][-POINTS:]
            trend.count = len(members[key])
            _draw(trend)
            found.append(trend)
    return sorted(found, key=lambda t: t.label)
