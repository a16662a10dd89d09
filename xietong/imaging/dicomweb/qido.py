"""QIDO-RS (PS3.18 10.6): searches for studies, series and instances, answered from the
index's columns (an instance's includefield beyond them from its stored metadata). Matching
as PS3.4 C.2.2.2 asks for the attributes searched: single values, UID lists, * and ? in
PatientName, date ranges. One search is one statement for the rows; one audit event tells
that the actor searched, and how many studies it showed."""

from __future__ import annotations

import json
import re
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from pydicom.datadict import tag_for_keyword

from xietong.core.actor import Actor
from xietong.core.audit import audit_record

from ..models import Instance, Series, Study
from ..selectors import (
    get_study_for,
    instances_visible_to,
    series_visible_to,
    studies_visible_to,
)
from .auth import dicomweb_view
from .qido_match import (
    INSTANCE_MATCHERS,
    SERIES_MATCHERS,
    STUDY_MATCHERS,
    TAGS,
    element,
    filter_q,
    page_of,
    prefixed,
)
from .urls_build import studies_base

DICOM_JSON = "application/dicom+json"


def _answer(rows: list[dict[str, Any]]) -> HttpResponse:
    return HttpResponse(json.dumps(rows, ensure_ascii=False), content_type=DICOM_JSON)


def _searched(
    actor: Actor, request: HttpRequest, level: str, patient_ids: list[int | None]
) -> None:
    """One event per answer that showed studies (core/listing.py's rule): the criteria, how
    many, and the patients named (an unlinked study names none of ours, but counts)."""
    if not patient_ids:
        return
    known = sorted({p for p in patient_ids if p})
    audit_record(
        actor=actor,
        action="imaging_study.search",
        resource_type="ImagingStudy",
        patient_id=known[0] if len(known) == 1 else None,
        detail={
            "level": level,
            "criteria": dict(request.GET.items()),
            "count": len(patient_ids),
            "patient_ids": known,
        },
    )


def _study_json(base: str, s: Study) -> dict[str, Any]:
    values = {
        "SpecificCharacterSet": "ISO_IR 192", "StudyDate": s.study_date,
        "StudyTime": s.study_time, "AccessionNumber": s.accession_number,
        "ModalitiesInStudy": s.modality_list, "ReferringPhysicianName": s.referring_physician_name,
        "StudyDescription": s.study_description, "PatientName": s.patient_name,
        "PatientID": s.dicom_patient_id, "PatientBirthDate": s.patient_birth_date,
        "PatientSex": s.patient_sex, "StudyInstanceUID": s.study_instance_uid,
        "StudyID": s.study_id, "NumberOfStudyRelatedSeries": s.series_count,
        "NumberOfStudyRelatedInstances": s.instance_count,
        "RetrieveURL": f"{base}/{s.study_instance_uid}",
    }  # fmt: skip
    return {TAGS[k]: element(k, v) for k, v in values.items()}


def _series_json(base: str, s: Series, study_uid: str) -> dict[str, Any]:
    values = {
        "SpecificCharacterSet": "ISO_IR 192", "StudyInstanceUID": study_uid,
        "SeriesInstanceUID": s.series_instance_uid, "Modality": s.modality,
        "SeriesNumber": s.series_number, "SeriesDescription": s.series_description,
        "BodyPartExamined": s.body_part, "SeriesDate": s.series_date,
        "NumberOfSeriesRelatedInstances": s.instance_count,
        "RetrieveURL": f"{base}/{study_uid}/series/{s.series_instance_uid}",
    }  # fmt: skip
    return {TAGS[k]: element(k, v) for k, v in values.items()}


_TAG = re.compile(r"[0-9A-Fa-f]{8}")


def _included(request: HttpRequest) -> set[str]:
    """The tags includefield asks for ("all" for every one), keywords turned into tags."""
    tags: set[str] = set()
    for value in request.GET.getlist("includefield"):
        for name in (f.strip() for f in value.split(",")):
            if name.lower() == "all":
                tags.add("all")
            elif _TAG.fullmatch(name):
                tags.add(name.upper())
            elif (tag := tag_for_keyword(name)) is not None:
                tags.add(f"{tag:08X}")
    return tags


def _instance_json(
    base: str, i: Instance, study_uid: str, series_uid: str, more: set[str]
) -> dict[str, Any]:
    values = {
        "SpecificCharacterSet": "ISO_IR 192", "StudyInstanceUID": study_uid,
        "SeriesInstanceUID": series_uid, "SOPClassUID": i.sop_class_uid,
        "SOPInstanceUID": i.sop_instance_uid, "InstanceNumber": i.instance_number,
        "Rows": i.rows, "Columns": i.columns, "NumberOfFrames": i.number_of_frames,
        "AvailableTransferSyntaxUID": i.transfer_syntax_uid,
        "RetrieveURL": f"{base}/{study_uid}/series/{series_uid}/instances/{i.sop_instance_uid}",
    }  # fmt: skip
    answer = {TAGS[k]: element(k, v) for k, v in values.items()}
    if more:  # attributes beyond the index's: from the stored metadata
        for tag, kept in json.loads(i.metadata).items():
            if "all" in more or tag in more:
                answer.setdefault(tag, kept)
    return answer


def _visible_studies(actor: Actor, request: HttpRequest) -> QuerySet[Study]:
    return studies_visible_to(actor).filter(filter_q(request, STUDY_MATCHERS))


@require_GET
@dicomweb_view
def studies(request: HttpRequest, *, actor: Actor, reader: str) -> HttpResponse:
    limit, offset = page_of(request)
    found = _visible_studies(actor, request).order_by("-study_date", "-study_time", "-id")
    shown = list(found[offset : offset + limit])
    _searched(actor, request, "studies", [s.patient_id for s in shown])
    base = studies_base(request)
    rows = [_study_json(base, s) for s in shown]
    return _answer(rows)


@require_GET
@dicomweb_view
def series(request: HttpRequest, *, actor: Actor, reader: str, study_uid: str = "") -> HttpResponse:
    limit, offset = page_of(request)
    if study_uid:
        study = get_study_for(actor=actor, study_uid=study_uid, reader=reader)
        found = Series.objects.filter(study=study).filter(filter_q(request, SERIES_MATCHERS))
    else:
        studies_q = prefixed(STUDY_MATCHERS, "study__")
        found = series_visible_to(actor).filter(filter_q(request, {**studies_q, **SERIES_MATCHERS}))
    found = found.select_related("study").order_by("study_id", "series_number", "id")
    shown = list(found[offset : offset + limit])
    if not study_uid:  # within a study, its read is on record (get_study_for)
        _searched(actor, request, "series", [s.study.patient_id for s in shown])
    base = studies_base(request)
    rows = [_series_json(base, s, s.study.study_instance_uid) for s in shown]
    return _answer(rows)


@require_GET
@dicomweb_view
def instances(
    request: HttpRequest, *, actor: Actor, reader: str, study_uid: str = "", series_uid: str = ""
) -> HttpResponse:
    limit, offset = page_of(request)
    matchers = {**INSTANCE_MATCHERS, **prefixed(SERIES_MATCHERS, "series__")}
    if study_uid:
        study = get_study_for(actor=actor, study_uid=study_uid, reader=reader)
        found = Instance.objects.filter(study=study)
        if series_uid:
            found = found.filter(series__series_instance_uid=series_uid)
    else:
        matchers.update(prefixed(STUDY_MATCHERS, "study__"))
        found = instances_visible_to(actor)
    found = found.filter(filter_q(request, matchers)).select_related("series", "study")
    found = found.order_by(
        "study_id", "series__series_number", "series_id", "instance_number", "id"
    )
    more = _included(request)
    if not more:
        found = found.defer("metadata")
    shown = list(found[offset : offset + limit])
    if not study_uid:
        _searched(actor, request, "instances", [i.study.patient_id for i in shown])
    base = studies_base(request)
    rows = [
        _instance_json(base, i, i.study.study_instance_uid, i.series.series_instance_uid, more)
        for i in shown
    ]
    return _answer(rows)
