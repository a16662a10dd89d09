"""One entry of the timeline, whichever app it comes from, and the registry through which an
app above this one (imaging, for the studies in our archive) adds its own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from xietong.core.actor import Actor

from .kinds import Kind

if TYPE_CHECKING:
    from xietong.patients.models import Patient


@dataclass
class Entry:
    kind: Kind
    at: dt.datetime | None
    institution_id: int
    institution: str
    title: str
    status: str = ""
    lines: list[str] = field(default_factory=list)
    # A result's value as shown, its unit, reference range, and "high"/"low" when outside it.
    value: str = ""
    unit: str = ""
    reference: str = ""
    flag: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)
    # The trend this result belongs to (trends.py), when its code has several values.
    trend: str = ""
    # Orders entries of the same moment: what arrived later first.
    tiebreak: int = 0

    @property
    def sort_key(self) -> tuple[bool, dt.datetime, int]:
        """Newest first once reversed; entries without a date go last."""
        return (self.at is not None, self.at or _EPOCH, self.tiebreak)


_EPOCH = dt.datetime(1, 1, 1, tzinfo=dt.UTC)

# (actor, patient) -> the entries of that kind the actor sees, each with its institution.
# Called once per view with the patient already fetched (and its read recorded) by the page;
# a source answers in a fixed number of queries and returns at most SOURCE_LIMIT entries.
EntrySource = Callable[[Actor, "Patient"], list[Entry]]
SOURCE_LIMIT = 500
_sources: dict[str, EntrySource] = {}


def ehr_source_register(name: str, source: EntrySource) -> None:
    """Idempotent by name, so a ready() that runs twice (tests) adds no second copy."""
    _sources[name] = source


def ehr_sources() -> dict[str, EntrySource]:
    return dict(_sources)
