"""The free slots a referral may book, as the week calendar the referral form and the desk's
proposal show (referrals/_slots.html): one week at a time, its days in the reader's time
zone (Asia/Shanghai), filtered by department and examination where the slots have them.

The week shown is the one asked for, else the chosen slot's, else the first with a free
slot; the previous and next buttons jump to the nearest weeks that have one."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from xietong.scheduling.selectors import slots_free
from xietong.scheduling.week import SlotDay, midnight, monday_of, week_days

from ..models import Kind
from ..services._bookings import PURPOSES

if TYPE_CHECKING:
    from xietong.scheduling.models import Slot

# How far ahead the calendar looks: the weeks a desk publishes slots for.
HORIZON_DAYS = 56
# A week of one department never comes near this; it bounds a page without a filter.
WEEK_LIMIT = 300
NO_DEPARTMENT = "none"


@dataclass
class SlotCalendar:
    """What the fragment shows. `ready`: an institution and a kind are chosen."""

    ready: bool = False
    departments: list[tuple[str, str, int]] = field(default_factory=list)
    department: str = ""
    needs_department: bool = False
    week: dt.date | None = None
    days: list[SlotDay] = field(default_factory=list)
    previous: dt.date | None = None
    next: dt.date | None = None
    chosen: str = ""
    # The chosen slot when it lies in another week than the one shown: kept in the form.
    chosen_elsewhere: Slot | None = None
    mixed_exams: bool = False

    @property
    def week_end(self) -> dt.date | None:
        return self.week + dt.timedelta(days=6) if self.week else None

    @property
    def empty(self) -> bool:
        return not any(day.slots for day in self.days)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _departments(slots: QuerySet[Slot]) -> list[tuple[str, str, int]]:
    """(value, name, free slots) of each department with a free slot, in code order."""
    rows = (
        slots.order_by()
        .values("department_id", "department__code", "department__name", "department__name_en")
        .annotate(n=Count("id"))
        .order_by("department__code")
    )
    english = (get_language() or "").startswith("en")
    found = []
    for row in rows:
        if row["department_id"] is None:
            found.append((NO_DEPARTMENT, _("No department"), row["n"]))
            continue
        name = row["department__name_en"] if english and row["department__name_en"] else None
        found.append((str(row["department_id"]), name or row["department__name"], row["n"]))
    return found


def slot_calendar(
    *,
    institution: str,
    kind: str,
    examination_type: str = "",
    department: str = "",
    week: str = "",
    chosen: str = "",
    not_at: dt.datetime | None = None,
) -> SlotCalendar:
    """The calendar for the values a form carries (as sent: text, possibly wrong). `not_at`:
    a time not to offer (the appointment a proposal moves away from)."""
    if not institution.isdigit() or kind not in Kind.values:
        return SlotCalendar()
    now = timezone.now()
    slots = slots_free(
        institution=int(institution),
        examination_type=examination_type or None,
        via_referral=True,
        end=now + dt.timedelta(days=HORIZON_DAYS),
        limit=None,
    ).filter(purpose__in=PURPOSES[Kind(kind)])
    if not_at is not None:
        slots = slots.exclude(start=not_at)
    cal = SlotCalendar(ready=True, departments=_departments(slots))
    values = {value for value, _name, _n in cal.departments}
    if department in values:
        cal.department = department
        slots = (
            slots.filter(department__isnull=True)
            if department == NO_DEPARTMENT
            else slots.filter(department_id=int(department))
        )
    elif len(values) == 1:
        cal.department = next(iter(values))
    cal.needs_department = len(values) > 1 and not cal.department
    if cal.needs_department or not values:
        return cal

    key = _uuid(chosen)
    chosen_slot = slots.filter(uuid=key).first() if key else None
    cal.chosen = str(chosen_slot.uuid) if chosen_slot else ""
    today = timezone.localdate()
    asked = _date(week)
    if asked is not None:
        monday = monday_of(asked)
    elif chosen_slot is not None:
        monday = monday_of(timezone.localtime(chosen_slot.start).date())
    else:
        first = slots.first()
        monday = monday_of(timezone.localtime(first.start).date() if first else today)
    # Never before this week, never past the horizon.
    monday = min(max(monday, monday_of(today)), monday_of(today + dt.timedelta(days=HORIZON_DAYS)))
    begin, end = midnight(monday), midnight(monday + dt.timedelta(days=7))
    shown = list(slots.filter(start__gte=begin, start__lt=end)[:WEEK_LIMIT])
    cal.week = monday
    cal.days = week_days(shown, monday=monday, chosen=cal.chosen)
    cal.mixed_exams = len({s.examination_type for s in shown}) > 1
    if chosen_slot is not None and not any(s.checked for s in shown):  # type: ignore[attr-defined]
        chosen_slot.local = timezone.localtime(chosen_slot.start)  # type: ignore[attr-defined]
        cal.chosen_elsewhere = chosen_slot
    before = slots.filter(start__lt=begin).order_by("-start").first()
    after = slots.filter(start__gte=end).first()
    cal.previous = monday_of(timezone.localtime(before.start).date()) if before else None
    cal.next = monday_of(timezone.localtime(after.start).date()) if after else None
    return cal


# Each place a slot is picked: the fragment's id, and what its requests carry (the form's
# choices outside it, or the context the fragment holds itself).
PICKERS = {
    "form": ("slots", "#id_receiving_institution, #id_kind, #id_examination_type, #slots"),
    "proposal": ("proposal-slots", "#proposal-slots"),
}
# The buttons of the calendar that ask for another week or department: without JavaScript
# they send the form, which comes back with that calendar, nothing checked and nothing done.
REFRESH = frozenset({"week", "show_slots"})
# What a proposal's calendar keeps in hidden inputs, to ask for its next week.
PROPOSAL_CONTEXT = ("receiving_institution", "kind", "examination_type", "not_at")


def _moment(value: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else None


def picker_context(
    cal: SlotCalendar, picker: str = "form", hidden: dict[str, str] | None = None
) -> dict[str, object]:
    """The context of referrals/_slots.html for one of PICKERS."""
    target, include = PICKERS[picker]
    return {
        "cal": cal,
        "picker": picker,
        "picker_id": target,
        "picker_include": include,
        "picker_hidden": sorted((hidden or {}).items()),
    }


def posted_values(post: QueryDict) -> dict[str, str]:
    """A form's values as text (the last of each name)."""
    return {name: str(post.get(name) or "") for name in post}


def calendar_from(values: Mapping[str, str], **defaults: str) -> SlotCalendar:
    """The calendar the values of a form or a fragment's request ask for."""

    def value(name: str) -> str:
        return str(values.get(name) or defaults.get(name) or "")

    return slot_calendar(
        institution=value("receiving_institution"),
        kind=value("kind"),
        examination_type=value("examination_type"),
        department=value("department"),
        week=value("week"),
        chosen=value("slot"),
        not_at=_moment(value("not_at")),
    )
