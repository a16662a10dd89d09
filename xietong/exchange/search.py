"""Searching what hospitals pushed: `GET /fhir/R4/<type>?…` for the pushed types.

Every parameter is answered from the columns and the token table (never by parsing JSON),
among the resources the reader reads (sharing.py: their institution's, and others' on the
grounds of docs/adr/0033). A page costs the
same few queries whatever its size: the page, the count when more follow, the patients
`_include` asked for, and the one audit event naming the patients shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Max, Min, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.http import QueryDict
from django.utils.translation import gettext as _

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.keys import uuid_or_none
from xietong.fhir.registry import Resource, SearchPage, SearchRefused, search_window
from xietong.patients.models import Patient
from xietong.patients.selectors import patients_visible_in

from .models import FhirResource, FhirToken, TokenParam
from .plans import planned_each_time
from .push.columns import CATEGORY_OF, CODE_OF, DATE_OF, fhir_instant
from .push.edge import SUBJECT_OF
from .sharing import resources_readable_q

# Types whose R4 search parameters include `subject` and `status` (AllergyIntolerance names
# its patient `patient`; it and Condition have clinical statuses, not `status`).
_HAS_SUBJECT = frozenset(SUBJECT_OF) - {"Patient", "AllergyIntolerance"}
_HAS_STATUS = frozenset(SUBJECT_OF) - {"Patient", "AllergyIntolerance", "Condition"}
_SORTS = {"date": "date", "_lastUpdated": "last_updated"}


def search_params(resource_type: str) -> dict[str, str]:
    """The parameters served for the type, as the CapabilityStatement declares them: only
    those the type has in R4 and the columns answer."""
    params = {"identifier": "token", "_lastUpdated": "date"}
    if resource_type != "Patient":
        params |= {"patient": "reference", "date": "date"}
    if resource_type in _HAS_SUBJECT:
        params["subject"] = "reference"
    if resource_type in CODE_OF:
        params["code"] = "token"
    if resource_type in CATEGORY_OF:
        params["category"] = "token"
    if resource_type in _HAS_STATUS:
        params["status"] = "token"
    if resource_type == "ImagingStudy":
        params["started"] = "date"  # R4's name for ImagingStudy's date
    return params


def search_includes(resource_type: str) -> list[str]:
    if resource_type == "Patient":
        return []
    names = ["patient", "subject"] if resource_type in _HAS_SUBJECT else ["patient"]
    return [f"{resource_type}:{name}" for name in names]


def search_note(resource_type: str) -> str:
    dated = " or ".join(f"{resource_type}.{path}" for path in DATE_OF.get(resource_type, ()))
    note = (
        "_sort: date, -date, _lastUpdated, -_lastUpdated (undated last; -date unless asked). "
        "_count (50 unless asked, at most 200; 0 for the total alone), _offset, "
        "_total=none to skip counting."
    )
    return f"date searches {dated}. {note}" if resource_type != "Patient" else note


_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb")


def _period(rest: str, start: dt.datetime) -> dt.datetime:
    """The end of the period the value names: a year, a month, a day, or one second."""
    if len(rest) == 4:
        return start.replace(year=start.year + 1)
    if len(rest) == 7:
        return (start + dt.timedelta(days=32)).replace(day=1)
    if len(rest) == 10:
        return start + dt.timedelta(days=1)
    return start + dt.timedelta(seconds=1)


def date_bounds(value: str) -> tuple[str, dt.datetime, dt.datetime] | None:
    """A date search value as (prefix, the first instant it names, the end of the period it
    names), None when it names no date. Other apps' searchers read `date` as this one does."""
    prefix, rest = (value[:2], value[2:]) if value[:2] in _PREFIXES else ("eq", value)
    start = fhir_instant(rest)
    return None if start is None else (prefix, start, _period(rest, start))


def range_q(column: str, prefix: str, start: Any, end: Any) -> Q:
    """The condition of a prefix over the period [start, end) on a column."""
    within = Q(**{f"{column}__gte": start, f"{column}__lt": end})
    return {
        "eq": within,
        "ne": ~within & Q(**{f"{column}__isnull": False}),
        "gt": Q(**{f"{column}__gte": end}),
        "sa": Q(**{f"{column}__gte": end}),
        "ge": Q(**{f"{column}__gte": start}),
        "lt": Q(**{f"{column}__lt": start}),
        "eb": Q(**{f"{column}__lt": start}),
        "le": Q(**{f"{column}__lt": end}),
    }[prefix]


def date_q(column: str, value: str) -> Q:
    bounds = date_bounds(value)
    return Q(pk__in=[]) if bounds is None else range_q(column, *bounds)


def _token_q(resource_type: str, param: str, value: str) -> Q:
    system, bar, code = value.partition("|")
    tokens = FhirToken.objects.filter(resource_type=resource_type, param=param)
    tokens = tokens.filter(system=system, value=code) if bar else tokens.filter(value=value)
    return Q(pk__in=tokens.values("resource_id"))


def _subject_q(value: str) -> Q:
    """The hospital's Patient resource the value names, or one of our patients by UUID (as
    the platform's own resources name them), so that one search answers both (ADR 32)."""
    reference = value if "/" in value else f"Patient/{value}"
    kind, _slash, key = reference.rpartition("/")
    ours = uuid_or_none(key) if kind == "Patient" else None
    if ours is None:
        return Q(subject=reference)
    return Q(subject=reference) | Q(patient_id__in=Patient.objects.filter(uuid=ours).values("pk"))


def visible_resources(actor: Actor) -> QuerySet[FhirResource]:
    return FhirResource.objects.filter(resources_readable_q(actor=actor))


@dataclass(frozen=True)
class _Driving:
    """The token parameter a search that names no patient walks, and its system and code."""

    name: str
    value: str
    system: str
    code: str


def _driving_token(resource_type: str, params: QueryDict) -> _Driving | None:
    """The token a search that names no patient walks (ADR 26): the first given, when one
    token row stands for one resource, so the walk never lists a resource twice. A resource
    may carry one code in two systems: a code sent without its system drives only when the
    stored tokens know it in one system (the least and the greatest, two index probes)."""
    if any(params.getlist(name) for name in ("patient", "subject")):
        return None
    for name in TokenParam.values:
        for value in params.getlist(name):
            system, bar, code = value.partition("|")
            if bar:
                return _Driving(name, value, system, code)
            systems = FhirToken.objects.filter(
                resource_type=resource_type, param=name, value=value
            ).aggregate(least=Min("system"), greatest=Max("system"))
            if systems["least"] is not None and systems["least"] == systems["greatest"]:
                return _Driving(name, value, systems["least"], value)
    return None


def _driving_tokens(
    actor: Actor, resource_type: str, params: QueryDict, driving: _Driving, prefix: str
) -> Q:
    """The driving token's rows of patients the reader sees, in the date's range: they
    carry the resource's patient and date (ADR 26), so the search walks them newest first
    and stops at its page instead of reading every resource with that code. `prefix`
    names them from the resource (`tokens__`) or not at all (counting the tokens alone)."""
    on_token = Q(**{f"{prefix}resource_type": resource_type, f"{prefix}param": driving.name,
                    f"{prefix}value": driving.code, f"{prefix}system": driving.system})  # fmt: skip
    on_token &= patients_visible_in(actor, f"{prefix}patient_id")
    for date in params.getlist("date"):
        on_token &= date_q(f"{prefix}date", date)
    return on_token


def _tokens_tell_all(params: QueryDict, driving: _Driving) -> bool:
    """Whether the driving token and the date are all the search asks, so that counting its
    tokens counts the matches."""
    asked = {(n, v) for n in params for v in params.getlist(n) if not n.startswith("_")}
    return {n for n, _v in asked - {(driving.name, driving.value)}} <= {
        "date"
    } and not params.getlist("_lastUpdated")


def _filtered(
    rows: QuerySet[FhirResource], resource_type: str, params: QueryDict,
    driving: _Driving | None,
) -> Any:  # fmt: skip
    for name in ("patient", "subject"):
        for value in params.getlist(name):
            rows = rows.filter(_subject_q(value))
    for name in TokenParam.values:
        for value in params.getlist(name):
            if driving is None or (name, value) != (driving.name, driving.value):
                rows = rows.filter(_token_q(resource_type, name, value))
    for value in params.getlist("status"):
        rows = rows.filter(status__in=value.split(","))
    for value in [*params.getlist("date"), *params.getlist("started")]:
        rows = rows.filter(date_q("date", value))
    for value in params.getlist("_lastUpdated"):
        rows = rows.filter(date_q("last_updated", value))
    return rows


def _order(params: QueryDict, *, by_token: bool) -> list[OrderBy]:
    """`_sort` as asked (a comma list of date and _lastUpdated, `-` for newest first), the
    newest clinical date first otherwise; undated resources last either way, on SQLite as on
    PostgreSQL, and the row id last so that pages never overlap. A search walking a token
    sorts on the token's copies of the date and id, the order its index holds."""
    keys = [k for v in params.getlist("_sort") for k in v.split(",") if k] or ["-date"]
    order = []
    for key in keys:
        column = _SORTS.get(key.removeprefix("-"))
        if column is None:
            raise SearchRefused(
                _("Sorting by %(key)s is not served; sort by date or _lastUpdated.") % {"key": key}
            )
        if by_token and column == "date":
            column = "tokens__date"
        descending = key.startswith("-")
        if column == "last_updated":  # never empty: its index needs no NULLS clause
            order.append(F(column).desc() if descending else F(column).asc())
        else:
            order.append(
                F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
            )
    row = F("tokens__resource") if by_token and not keys[0].endswith("_lastUpdated") else F("pk")
    return [*order, row.desc() if keys[0].startswith("-") else row.asc()]


def _includes_wanted(resource_type: str, params: QueryDict) -> bool:
    served = search_includes(resource_type)
    wanted = False
    for value in params.getlist("_include"):
        if value.removesuffix(":Patient") not in served:
            raise SearchRefused(
                _("_include=%(value)s is not served; these are: %(served)s.")
                % {"value": value, "served": ", ".join(served) or "-"}
            )
        wanted = True
    return wanted


def patients_included(actor: Actor, page: list[FhirResource]) -> list[Resource]:
    """The Patient resources the page's resources are about, those the reader sees."""
    subjects = {r.subject for r in page if r.subject}
    if not subjects:
        return []
    rows = visible_resources(actor).filter(resource_type="Patient", subject__in=subjects)
    return [r.content for r in rows.order_by("pk")]


def page_cut(
    rows: QuerySet[FhirResource], *, total_wanted: bool, count: int, offset: int,
    counted: QuerySet[Any] | None = None,
) -> tuple[list[FhirResource], int | None, bool]:  # fmt: skip
    """The page (one row more is fetched to learn whether more follow), the number of matches
    (counted only when the page cannot tell, unless `_total=none`), and whether more follow.
    `counted`: rows as many as the matches that are cheaper to count."""
    with planned_each_time():
        found = list(rows[offset : offset + count + 1])
        more = len(found) > count
        page = found[:count]
        if not more and (page or offset == 0):
            return page, offset + len(page), False
        if not total_wanted:
            return page, None, more
        return page, (rows.order_by() if counted is None else counted).count(), more


def resources_search(actor: Actor, resource_type: str, params: QueryDict) -> SearchPage:
    include = _includes_wanted(resource_type, params)
    # Each resource row is checked by probes (EXISTS, docs/adr/0033): a hashed list here
    # made the planner read the whole table for a hospital-wide page.
    rows = FhirResource.objects.filter(
        resources_readable_q(actor=actor), resource_type=resource_type
    )
    driving = _driving_token(resource_type, params)
    counted = None
    if driving is not None:
        rows = rows.filter(_driving_tokens(actor, resource_type, params, driving, "tokens__"))
        if _tokens_tell_all(params, driving):
            # The token rows carry the patient but not the sending hospital: each counted
            # token's resource is held to the reading rule too (ADR 33).
            counted = FhirToken.objects.filter(
                _driving_tokens(actor, resource_type, params, driving, ""),
                resource__in=FhirResource.objects.filter(resources_readable_q(actor=actor)),
            )
    rows = _filtered(rows, resource_type, params, driving).order_by(
        *_order(params, by_token=driving is not None)
    )
    count, offset = search_window(params)
    page, total, more = page_cut(
        rows, total_wanted=params.get("_total") != "none", count=count, offset=offset,
        counted=counted,
    )  # fmt: skip
    included = patients_included(actor, page) if include else []
    patients = sorted({r.patient_id for r in page if r.patient_id})
    audit_record(
        actor=actor, action="fhir_resource.search", resource_type="FhirResource",
        resource_id=resource_type, patient_id=patients[0] if len(patients) == 1 else None,
        detail={"params": {k: params.getlist(k) for k in params}, "count": len(page),
                "included": len(included), "patients": patients[:50]},
    )  # fmt: skip
    return SearchPage(matches=[r.content for r in page], total=total, more=more, included=included)
