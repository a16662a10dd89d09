"""The resident's record (居民健康档案) as one actor sees it: what every hospital pushed for the
patient (FhirResource rows linked to them) and what other apps add (our imaging studies),
newest first, filtered by kind, period and institution, a page at a time, with the lab trends.

The patient comes already fetched through get_patient_for, which checked that the actor sees
them and recorded the read; the timeline adds one search event naming what the page showed.
The number of queries is fixed whatever the number of entries: the institutions offered, the
count (with what the actor may not read, docs/adr/0033), the page's rows, each registered
source once, the trends, the audit event."""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.directory.models import Institution
from xietong.patients.access import institution_cares_for
from xietong.patients.services.break_glass import BREAK_GLASS_ROLES

from ..models import FhirResource
from ..push.columns import LOCAL
from ..sharing import resources_readable_q
from .entries import SOURCE_LIMIT, Entry, ehr_sources
from .kinds import KIND_BY_CODE, TIMELINE_TYPES
from .summary import entry_of
from .trends import Trend, trend_key, trends_of

if TYPE_CHECKING:
    from xietong.patients.models import Patient

PER_PAGE = 25
ENTERED_IN_ERROR = "entered-in-error"
TREND_ROWS = 300  # the newest numeric results a page draws trends from
TREND_PARTS = ("code", "valueQuantity", "referenceRange", "interpretation")


@dataclass(frozen=True)
class EhrCriteria:
    kinds: frozenset[str] = frozenset()  # none: every kind
    since: dt.date | None = None
    until: dt.date | None = None
    institution_id: int | None = None

    def admits(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds

    def detail(self) -> dict[str, Any]:
        return {
            "kinds": sorted(self.kinds),
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "institution": self.institution_id,
        }


@dataclass
class Timeline:
    page: Page[Entry]
    institutions: list[tuple[int, str]]
    trends: list[Trend] = field(default_factory=list)
    hidden: Hidden | None = None


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=LOCAL)


def _recorded(patient: Patient) -> QuerySet[FhirResource]:
    # What its hospital withdrew as entered in error is no part of the record.
    return FhirResource.objects.filter(patient=patient, resource_type__in=TIMELINE_TYPES).exclude(
        status=ENTERED_IN_ERROR
    )


def _resources(actor: Actor, patient: Patient) -> QuerySet[FhirResource]:
    # The page checked the patient; the rows are scoped again so no caller can skip it.
    return _recorded(patient).filter(resources_readable_q(actor=actor, patient_id=patient.pk))


@dataclass(frozen=True)
class Hidden:
    """What the record holds that the actor does not read: one number, never per institution
    (which hospitals treated the patient is itself what the rule keeps), and whether the
    actor may open it in an emergency."""

    count: int
    can_break_glass: bool


def _criteria_q(criteria: EhrCriteria) -> Q:
    q = Q()
    if criteria.kinds:
        q &= Q(
            resource_type__in=[t for k in criteria.kinds for t in KIND_BY_CODE[k].resource_types]
        )
    if criteria.since:
        q &= Q(date__gte=_day_start(criteria.since))
    if criteria.until:
        q &= Q(date__lt=_day_start(criteria.until + dt.timedelta(days=1)))
    if criteria.institution_id:
        q &= Q(source_institution_id=criteria.institution_id)
    return q


def _filtered(rows: QuerySet[FhirResource], criteria: EhrCriteria) -> QuerySet[FhirResource]:
    return rows.filter(_criteria_q(criteria))


def _counted(actor: Actor, patient: Patient, criteria: EhrCriteria) -> tuple[int, Hidden]:
    """In one query: the pushed entries the page lists (its filters applied), and what the
    record holds that the actor does not read (whatever the filters: a filter must not hide
    that more exists)."""
    readable = resources_readable_q(actor=actor, patient_id=patient.pk)
    found = _recorded(patient).aggregate(
        shown=Count("pk", filter=readable & _criteria_q(criteria)),
        hidden=Count("pk", filter=~readable),
    )
    hidden = int(found["hidden"] or 0)
    # Emergency access is for clinicians of an institution that registered the patient.
    can_break_glass = (
        bool(hidden)
        and actor.has_role(*BREAK_GLASS_ROLES)
        and institution_cares_for(actor, patient.pk)
    )
    return int(found["shown"] or 0), Hidden(count=hidden, can_break_glass=can_break_glass)


def _admitted(entry: Entry, criteria: EhrCriteria) -> bool:
    """The same filters, for the entries another app gives."""
    if not criteria.admits(entry.kind.code):
        return False
    if criteria.institution_id and entry.institution_id != criteria.institution_id:
        return False
    if (criteria.since or criteria.until) and entry.at is None:
        return False
    if criteria.since and entry.at and entry.at < _day_start(criteria.since):
        return False
    end = criteria.until and _day_start(criteria.until + dt.timedelta(days=1))
    return not (end and entry.at and entry.at >= end)


def _entry(row: FhirResource) -> Entry:
    institution = row.source_institution
    entry = entry_of(
        resource_type=row.resource_type, content=row.content, at=row.date,
        institution_id=institution.pk, institution=institution.short_name or institution.name,
        tiebreak=row.pk,
    )  # fmt: skip
    if row.resource_type == "Observation":
        entry.trend = trend_key(row.content)
    return entry


class _Merged:
    """The pushed rows (paged in the database) and the other apps' entries (few, in memory)
    as one list newest first, sliced as a Paginator asks. A page [bottom, top) holds pushed
    rows from bottom - len(others) at the earliest, so that is all that is fetched."""

    def __init__(self, rows: QuerySet[FhirResource], counted: int, others: list[Entry]) -> None:
        self.rows = rows.select_related("source_institution").order_by(
            F("date").desc(nulls_last=True), "-pk"
        )
        self.others = sorted(others, key=lambda e: e.sort_key, reverse=True)
        self.total = counted + len(others)

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Entry]:
        bottom, top = window.start or 0, window.stop
        skipped = max(0, bottom - len(self.others))
        fetched = [_entry(r) for r in self.rows[skipped:top]]
        others = self.others
        if skipped and fetched:
            # Entries before the first row fetched are before `bottom` (there are fewer of
            # them than the rows skipped), so they are left out and counted.
            first = fetched[0].sort_key
            others = [e for e in others if not e.sort_key > first]
        start = skipped + (len(self.others) - len(others))
        # On equal keys the pushed row comes first, as on every other page.
        merged = list(heapq.merge(fetched, others, key=lambda e: e.sort_key, reverse=True))
        return merged[bottom - start : top - start]


def _institutions(actor: Actor, patient: Patient, others: list[Entry]) -> list[tuple[int, str]]:
    found = Institution.objects.filter(
        pk__in=_resources(actor, patient).values("source_institution_id")
    ).values_list("pk", "short_name", "name")
    names = {pk: short or name for pk, short, name in found}
    names.update({e.institution_id: e.institution for e in others})
    return sorted(names.items(), key=lambda item: item[1])


def _trends(actor: Actor, patient: Patient, criteria: EhrCriteria) -> list[Trend]:
    if not criteria.admits("observation"):
        return []
    # Whatever the type filter, a trend is of results: the period and the institution apply.
    where = EhrCriteria(since=criteria.since, until=criteria.until,
                        institution_id=criteria.institution_id)  # fmt: skip
    rows = (
        _filtered(_resources(actor, patient), where)
        .filter(resource_type="Observation", date__isnull=False, content__has_key="valueQuantity")
        .exclude(status="cancelled")
    )  # a cancelled test has no value to draw
    # Only the elements a trend reads, taken out of the JSON by the database.
    newest = rows.order_by("-date", "-pk").values_list(
        *(f"content__{part}" for part in TREND_PARTS), "date",
        "source_institution__short_name", "source_institution__name",
    )[:TREND_ROWS]  # fmt: skip
    found = [
        (dict(zip(TREND_PARTS, row[:-3], strict=True)), row[-3], row[-2] or row[-1])
        for row in reversed(list(newest))
    ]
    return trends_of(found)


def ehr_timeline_for(
    *, actor: Actor, patient: Patient, criteria: EhrCriteria, page_number: str | None,
    per_page: int = PER_PAGE,
) -> Timeline:  # fmt: skip
    """The page `page_number` of the patient's record for the actor, recorded as one search
    of the patient's resources."""
    everything: list[Entry] = []
    for source in ehr_sources().values():
        everything += source(actor, patient)[:SOURCE_LIMIT]
    others = [e for e in everything if _admitted(e, criteria)]
    counted, hidden = _counted(actor, patient, criteria)
    merged = _Merged(_filtered(_resources(actor, patient), criteria), counted, others)
    paginator: Paginator[Entry] = Paginator(merged, per_page)  # type: ignore[arg-type]
    page = paginator.get_page(page_number)
    trends = _trends(actor, patient, criteria)
    with_trend = {t.key for t in trends}
    for entry in page.object_list:
        entry.trend = entry.trend if entry.trend in with_trend else ""
    shown: dict[str, int] = {}
    for entry in page.object_list:
        shown[entry.kind.code] = shown.get(entry.kind.code, 0) + 1
    audit_record(
        actor=actor, action="fhir_resource.search", resource_type="FhirResource",
        resource_id=f"Patient/{patient.uuid}/ehr", patient_id=patient.pk,
        detail={"view": "ehr", "criteria": criteria.detail(), "page": page.number,
                "count": merged.count(), "shown": shown, "patient_ids": [patient.pk]},
    )  # fmt: skip
    return Timeline(page=page, institutions=_institutions(actor, patient, everything),
                    trends=trends, hidden=hidden)  # fmt: skip
