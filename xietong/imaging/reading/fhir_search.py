"""Searching the platform's own imaging reports (DiagnosticReport) and studies (ImagingStudy)
under /fhir/R4/. The registry merges these with what hospitals pushed of the same types
(ADR 32), so each parameter here is read as the exchange reads it.

Only what the reader sees is searched (the reading requests of access.py, the studies of
the archive's access model); a page costs the same queries at any size (the page, the
reports or series of its rows, the count when more follow, the audit event), and each
search is recorded as one event naming the patients shown."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db.models import Case, F, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import OrderBy
from django.http import QueryDict

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.keys import uuid_or_none
from xietong.exchange.models import FhirResource
from xietong.exchange.push.columns import LOCAL
from xietong.exchange.search import date_bounds, date_q, page_cut, range_q
from xietong.fhir.registry import SearchPage, search_sort_keys, search_window
from xietong.patients.models import Patient

from ..models import Series, Study
from ..selectors import studies_visible_to
from .access import visible_readings_q
from .fhir import DCM, DICOM_UID_SYSTEM, NUMBER_SYSTEM, diagnostic_report, imaging_study
from .models import ImagingReport, ReadingRequest, Status
from .selectors import REPORT_SHOWN
from .workflow import fhir_status

RADIOLOGY = ("http://terminology.hl7.org/CodeSystem/v2-0074", "RAD")
IMAGING_CODE = ("http://loinc.org", "18748-4")

DIAGNOSTIC_REPORT_PARAMS = {
    "patient": "reference", "subject": "reference", "category": "token", "code": "token",
    "date": "date", "status": "token", "identifier": "token", "_lastUpdated": "date",
}  # fmt: skip
IMAGING_STUDY_PARAMS = {
    "patient": "reference", "subject": "reference", "started": "date", "modality": "token",
    "identifier": "token", "status": "token", "_lastUpdated": "date",
}  # fmt: skip


def _token_is(value: str, system: str, code: str) -> bool:
    """A token search value (`code`, `system|code`, `|code` for no system) names this one."""
    named_system, bar, named = value.partition("|")
    return named_system == system and named == code if bar else value == code


def _any_token(values: str, system: str, code: str) -> bool:
    return any(_token_is(v, system, code) for v in values.split(","))


def _patients_named(value: str) -> QuerySet[Patient]:
    """Our patients a `patient=` value names: ours by UUID, or a hospital's Patient resource
    linked to one of ours (what the hospital's own client knows)."""
    kind, _slash, key = value.rpartition("/")
    found = uuid_or_none(key)
    if found is None or kind not in ("", "Patient"):
        return Patient.objects.none()
    pushed = FhirResource.objects.filter(resource_type="Patient", logical_id=found)
    return Patient.objects.filter(Q(uuid=found) | Q(pk__in=pushed.values("patient_id")))


def _each(params: QueryDict, name: str) -> list[str]:
    return [v for v in params.getlist(name) if v]


def _patient_filtered(rows: QuerySet[Any], params: QueryDict) -> QuerySet[Any]:
    for name in ("patient", "subject"):
        for value in _each(params, name):
            named = [p for v in value.split(",") for p in _patients_named(v).values_list("pk")]
            rows = rows.filter(patient_id__in=[pk for (pk,) in named])
    return rows


def _ordered(params: QueryDict, date_order: Callable[[bool], list[OrderBy]]) -> list[OrderBy]:
    keys = search_sort_keys(params)
    order: list[OrderBy] = []
    for key in keys:
        descending = key.startswith("-")
        if key.removeprefix("-") == "date":
            order.extend(date_order(descending))
        else:
            order.append(F("updated_at").desc() if descending else F("updated_at").asc())
    return [*order, F("pk").desc() if keys[0].startswith("-") else F("pk").asc()]


def _paged(rows: QuerySet[Any], params: QueryDict) -> tuple[list[Any], int | None, bool]:
    count, offset = search_window(params)
    return page_cut(rows, total_wanted=params.get("_total") != "none", count=count, offset=offset)


def _recorded(actor: Actor, action: str, resource_type: str, params: QueryDict,
              page: list[Any]) -> None:  # fmt: skip
    patients = sorted({r.patient_id for r in page if r.patient_id})
    audit_record(
        actor=actor, action=action, resource_type=resource_type,
        patient_id=patients[0] if len(patients) == 1 else None,
        detail={"params": {k: params.getlist(k) for k in params}, "count": len(page),
                "patients": patients[:50]},
    )  # fmt: skip


# DiagnosticReport: the report of a reading request, as diagnostic_report_read shows it.


def _issued() -> Any:
    """When the report the resource shows was issued: the newest signature, else (while it
    is under review) its submission as preliminary; none before that."""
    versions = ImagingReport.objects.filter(reading=OuterRef("pk")).values("reading")
    signed = Subquery(versions.annotate(at=Max("signed_at")).values("at")[:1])
    submitted = Subquery(versions.annotate(at=Max("preliminary_at")).values("at")[:1])
    return Case(
        When(status__in=(Status.FINAL, Status.AMENDED), then=signed),
        When(status=Status.PRELIMINARY, then=submitted),
        default=Value(None),
    )


def _statuses_named(values: str) -> list[str]:
    wanted = set(values.split(","))
    return [s for s in Status.values if fhir_status(s).report_status in wanted]


def _reports_filtered(rows: QuerySet[ReadingRequest], params: QueryDict) -> QuerySet[Any]:
    rows = _patient_filtered(rows, params)
    fixed = {"category": RADIOLOGY, "code": IMAGING_CODE}
    for name, (system, code) in fixed.items():
        if any(not _any_token(v, system, code) for v in _each(params, name)):
            return rows.none()
    for value in _each(params, "identifier"):
        numbers = [v.partition("|")[2] if "|" in v else v for v in value.split(",")
                   if "|" not in v or v.startswith(f"{NUMBER_SYSTEM}|")]  # fmt: skip
        rows = rows.filter(number__in=numbers)
    for value in _each(params, "status"):
        rows = rows.filter(status__in=_statuses_named(value))
    for value in _each(params, "date"):
        rows = rows.filter(date_q("issued", value))
    for value in _each(params, "_lastUpdated"):
        rows = rows.filter(date_q("updated_at", value))
    return rows


def _report_date_order(descending: bool) -> list[OrderBy]:
    return [F("issued").desc(nulls_last=True) if descending else F("issued").asc(nulls_last=True)]


def _shown_reports(page: list[ReadingRequest]) -> dict[int, ImagingReport]:
    """The version each request's resource shows (diagnostic_report_read's rule: the newest
    signed one, or the preliminary under review; never a draft), in one query."""
    shown: dict[int, ImagingReport] = {}
    statuses = {r.pk: r.status for r in page}
    versions = ImagingReport.objects.filter(reading_id__in=list(statuses)).select_related(
        "signed_by"
    )
    for report in versions.order_by("reading_id", "version"):
        submitted = report.preliminary_at is not None and statuses[report.reading_id] in (
            REPORT_SHOWN
        )
        if report.is_signed or submitted:
            shown[report.reading_id] = report
    return shown


def diagnostic_report_search(actor: Actor, params: QueryDict) -> SearchPage:
    rows = ReadingRequest.objects.filter(visible_readings_q(actor)).annotate(issued=_issued())
    rows = _reports_filtered(rows, params).select_related("patient", "study", "centre")
    page, total, more = _paged(rows.order_by(*_ordered(params, _report_date_order)), params)
    shown = _shown_reports(page)
    _recorded(actor, "imaging_report.search", "ImagingReport", params, page)
    resources = [diagnostic_report(r, shown.get(r.pk)) for r in page]
    for r, resource in zip(page, resources, strict=True):
        resource["meta"] = {"lastUpdated": r.updated_at.isoformat()}
    return SearchPage(matches=resources, total=total, more=more)


# ImagingStudy: the studies of the archive the reader sees.


def _study_identifier_q(value: str) -> Q:
    q = Q(pk__in=[])
    for one in value.split(","):
        system, bar, code = one.partition("|")
        if bar and system == DICOM_UID_SYSTEM:
            q |= Q(study_instance_uid=code.removeprefix("urn:oid:"))
        elif bar and not system:
            q |= Q(accession_number=code)
        elif not bar:
            q |= Q(study_instance_uid=one.removeprefix("urn:oid:")) | Q(accession_number=one)
    return q


def _modality_q(value: str) -> Q:
    q = Q(pk__in=[])
    for one in value.split(","):
        system, bar, code = one.partition("|")
        named = code if bar else one
        if named and (not bar or system == DCM):
            q |= Q(modalities__contains=f"/{named.upper()}/")
    return q


def _started_q(value: str) -> Q:
    """`started` at the precision the archive keeps (the study's day, YYYYMMDD, Beijing
    time): a value with a time names the day it falls in."""
    bounds = date_bounds(value)
    if bounds is None:
        return Q(pk__in=[])
    prefix, start, end = bounds
    start, end = start.astimezone(LOCAL), end.astimezone(LOCAL)
    last = end.date() if end.time() == dt.time(0) else end.date() + dt.timedelta(days=1)
    first_day, end_day = start.strftime("%Y%m%d"), last.strftime("%Y%m%d")
    return range_q("study_date", prefix, first_day, end_day) & ~Q(study_date="")


def _studies_filtered(rows: QuerySet[Study], params: QueryDict) -> QuerySet[Study]:
    rows = _patient_filtered(rows, params)
    for value in _each(params, "identifier"):
        rows = rows.filter(_study_identifier_q(value))
    for value in _each(params, "modality"):
        rows = rows.filter(_modality_q(value))
    for value in _each(params, "started"):
        rows = rows.filter(_started_q(value))
    for value in _each(params, "status"):
        if "available" not in value.split(","):
            return rows.none()
    for value in _each(params, "_lastUpdated"):
        rows = rows.filter(date_q("updated_at", value))
    return rows


def _study_date_order(descending: bool) -> list[OrderBy]:
    undated = Case(When(study_date="", then=Value(1)), default=Value(0))
    if descending:
        return [undated.asc(), F("study_date").desc(), F("study_time").desc()]
    return [undated.asc(), F("study_date").asc(), F("study_time").asc()]


def imaging_study_search(actor: Actor, params: QueryDict) -> SearchPage:
    rows = _studies_filtered(studies_visible_to(actor), params).select_related("patient")
    page, total, more = _paged(rows.order_by(*_ordered(params, _study_date_order)), params)
    series: dict[int, list[Series]] = defaultdict(list)
    for s in Series.objects.filter(study_id__in=[st.pk for st in page]).order_by(
        "study_id", "series_number", "id"
    ):
        series[s.study_id].append(s)
    _recorded(actor, "imaging_study.search", "ImagingStudy", params, page)
    resources = []
    for study in page:
        resource = imaging_study(study, series=series[study.pk])
        resource["meta"] = {"lastUpdated": study.updated_at.isoformat()}
        resources.append(resource)
    return SearchPage(matches=resources, total=total, more=more)
