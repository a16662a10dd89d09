"""QIDO-RS (PS3.18 10.6): searches for studies, series and instances, answered from the
index's columns (an instance's includefield beyond them from its stored metadata). Matching
as PS3.4 C.2.2.2 asks for the attributes searched: single values, UID lists, * and ? in
PatientName, date ranges. One search is one statement for the rows; one audit event tells
that the actor searched, and how many studies it showed."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from pydicom.datadict import tag_for_keyword

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import ValidationFailed

from ..dicom import name_search_key
from ..models import Instance, Series, Study
from ..selectors import (
    get_study_for,
    instances_visible_to,
    series_visible_to,
    studies_visible_to,
)
from .auth import dicomweb_view
from .urls_build import instance_url, series_url, study_url

LIMIT_DEFAULT = 100
LIMIT_MAX = 1000
DICOM_JSON = "application/dicom+json"

# keyword -> tag, for the attributes searched and answered with.
TAGS = {
    "SpecificCharacterSet": "00080005", "StudyDate": "00080020", "StudyTime": "00080030",
    "AccessionNumber": "00080050", "ModalitiesInStudy": "00080061",
    "ReferringPhysicianName": "00080090", "StudyDescription": "00081030",
    "PatientName": "00100010", "PatientID": "00100020", "PatientBirthDate": "00100030",
    "PatientSex": "00100040", "StudyInstanceUID": "0020000D", "StudyID": "00200010",
    "NumberOfStudyRelatedSeries": "00201206", "NumberOfStudyRelatedInstances": "00201208",
    "SeriesInstanceUID": "0020000E", "Modality": "00080060", "SeriesNumber": "00200011",
    "SeriesDescription": "0008103E", "BodyPartExamined": "00180015", "SeriesDate": "00080021",
    "NumberOfSeriesRelatedInstances": "00201209", "SOPClassUID": "00080016",
    "SOPInstanceUID": "00080018", "InstanceNumber": "00200013", "Rows": "00280010",
    "Columns": "00280011", "NumberOfFrames": "00280008",
    "AvailableTransferSyntaxUID": "00083002", "RetrieveURL": "00081190",
}  # fmt: skip
KEYWORDS = {tag: keyword for keyword, tag in TAGS.items()}
VR = {
    "SpecificCharacterSet": "CS", "StudyDate": "DA", "StudyTime": "TM", "AccessionNumber": "SH",
    "ModalitiesInStudy": "CS", "ReferringPhysicianName": "PN", "StudyDescription": "LO",
    "PatientName": "PN", "PatientID": "LO", "PatientBirthDate": "DA", "PatientSex": "CS",
    "StudyInstanceUID": "UI", "StudyID": "SH", "NumberOfStudyRelatedSeries": "IS",
    "NumberOfStudyRelatedInstances": "IS", "SeriesInstanceUID": "UI", "Modality": "CS",
    "SeriesNumber": "IS", "SeriesDescription": "LO", "BodyPartExamined": "CS",
    "SeriesDate": "DA", "NumberOfSeriesRelatedInstances": "IS", "SOPClassUID": "UI",
    "SOPInstanceUID": "UI", "InstanceNumber": "IS", "Rows": "US", "Columns": "US",
    "NumberOfFrames": "IS", "AvailableTransferSyntaxUID": "UI", "RetrieveURL": "UR",
}  # fmt: skip
CONTROL = {"limit", "offset", "includefield", "fuzzymatching"}


def _keyword(name: str) -> str:
    return KEYWORDS.get(name.upper(), name)


def _element(keyword: str, value: Any) -> dict[str, Any]:
    vr = VR[keyword]
    if value in (None, "", []):
        return {"vr": vr}
    values = value if isinstance(value, list) else [value]
    if vr == "PN":
        values = [{"Alphabetic": v} for v in values]
    return {"vr": vr, "Value": values}


def _uids(value: str) -> list[str]:
    return [u.strip() for u in re.split(r"[\\,]", value) if u.strip()]


def _wildcard(field: str, value: str) -> Q:
    if "*" not in value and "?" not in value:
        return Q(**{field: value})
    if value.endswith("*") and "*" not in value[:-1] and "?" not in value:
        return Q(**{f"{field}__startswith": value[:-1]})
    pattern = "^" + "".join(
        ".*" if c == "*" else "." if c == "?" else re.escape(c) for c in value
    ) + "$"  # fmt: skip
    return Q(**{f"{field}__regex": pattern})


_DATE = re.compile(r"\d{8}")


def _date_range(field: str, value: str) -> Q:
    low, dash, high = value.partition("-")
    for part in (low, high):
        if part and not _DATE.fullmatch(part):
            raise ValidationFailed.single(
                field, _("Dates are YYYYMMDD or a range YYYYMMDD-YYYYMMDD.")
            )
    if not dash:
        return Q(**{field: low})
    q = Q()
    if low:
        q &= Q(**{f"{field}__gte": low})
    if high:
        q &= Q(**{f"{field}__lte": high})
    return q


def _modalities(value: str) -> Q:
    q = Q(pk__in=[])
    for modality in _uids(value.upper()):
        q |= Q(modalities__contains=f"/{modality}/")
    return q


def _number(field: str, value: str) -> Q:
    try:
        return Q(**{field: int(value)})
    except ValueError as exc:
        raise ValidationFailed.single(field, _("Enter a whole number.")) from exc


Matcher = Callable[[str], Q]
STUDY_MATCHERS: dict[str, Matcher] = {
    "PatientID": lambda v: Q(dicom_patient_id=v),
    "PatientName": lambda v: _wildcard("patient_name_search", name_search_key(v)),
    "StudyDate": lambda v: _date_range("study_date", v),
    "ModalitiesInStudy": _modalities,
    "AccessionNumber": lambda v: Q(accession_number=v),
    "StudyInstanceUID": lambda v: Q(study_instance_uid__in=_uids(v)),
    "StudyID": lambda v: Q(study_id=v),
    "ReferringPhysicianName": lambda v: _wildcard("referring_physician_name", v),
}
SERIES_MATCHERS: dict[str, Matcher] = {
    "SeriesInstanceUID": lambda v: Q(series_instance_uid__in=_uids(v)),
    "Modality": lambda v: Q(modality__in=_uids(v.upper())),
    "SeriesNumber": lambda v: _number("series_number", v),
    "BodyPartExamined": lambda v: Q(body_part=v.upper()),
}
INSTANCE_MATCHERS: dict[str, Matcher] = {
    "SOPInstanceUID": lambda v: Q(sop_instance_uid__in=_uids(v)),
    "SOPClassUID": lambda v: Q(sop_class_uid__in=_uids(v)),
    "InstanceNumber": lambda v: _number("instance_number", v),
}


def _prefix_q(q: Q, prefix: str) -> Q:
    """The same condition on the related object `prefix` ("study__") names."""
    moved = Q()
    moved.connector, moved.negated = q.connector, q.negated
    moved.children = [
        _prefix_q(c, prefix) if isinstance(c, Q) else (prefix + c[0], c[1])  # type: ignore[index]
        for c in q.children
    ]
    return moved


def _prefixed(matchers: dict[str, Matcher], prefix: str) -> dict[str, Matcher]:
    def wrap(matcher: Matcher) -> Matcher:
        return lambda v: _prefix_q(matcher(v), prefix)

    return {k: wrap(m) for k, m in matchers.items()}


def _filter(request: HttpRequest, matchers: dict[str, Matcher]) -> Q:
    q = Q()
    for name in request.GET:
        value = request.GET.get(name, "")
        keyword = _keyword(name)
        if name in CONTROL or keyword not in matchers or value == "":
            continue  # an attribute we do not index matches everything (PS3.18 8.3.4.1)
        q &= matchers[keyword](value)
    return q


def _page(request: HttpRequest) -> tuple[int, int]:
    try:
        limit = min(int(request.GET.get("limit", LIMIT_DEFAULT)), LIMIT_MAX)
        offset = max(int(request.GET.get("offset", 0)), 0)
    except ValueError as exc:
        raise ValidationFailed.single("limit", _("Enter a whole number.")) from exc
    return max(limit, 0), offset


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


def _study_json(request: HttpRequest, s: Study) -> dict[str, Any]:
    values = {
        "SpecificCharacterSet": "ISO_IR 192", "StudyDate": s.study_date,
        "StudyTime": s.study_time, "AccessionNumber": s.accession_number,
        "ModalitiesInStudy": s.modality_list, "ReferringPhysicianName": s.referring_physician_name,
        "StudyDescription": s.study_description, "PatientName": s.patient_name,
        "PatientID": s.dicom_patient_id, "PatientBirthDate": s.patient_birth_date,
        "PatientSex": s.patient_sex, "StudyInstanceUID": s.study_instance_uid,
        "StudyID": s.study_id, "NumberOfStudyRelatedSeries": s.series_count,
        "NumberOfStudyRelatedInstances": s.instance_count,
        "RetrieveURL": study_url(request, s.study_instance_uid),
    }  # fmt: skip
    return {TAGS[k]: _element(k, v) for k, v in values.items()}


def _series_json(request: HttpRequest, s: Series, study_uid: str) -> dict[str, Any]:
    values = {
        "SpecificCharacterSet": "ISO_IR 192", "StudyInstanceUID": study_uid,
        "SeriesInstanceUID": s.series_instance_uid, "Modality": s.modality,
        "SeriesNumber": s.series_number, "SeriesDescription": s.series_description,
        "BodyPartExamined": s.body_part, "SeriesDate": s.series_date,
        "NumberOfSeriesRelatedInstances": s.instance_count,
        "RetrieveURL": series_url(request, study_uid, s.series_instance_uid),
    }  # fmt: skip
    return {TAGS[k]: _element(k, v) for k, v in values.items()}


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
    request: HttpRequest, i: Instance, study_uid: str, series_uid: str, more: set[str]
) -> dict[str, Any]:
    values = {
        "SpecificCharacterSet": "ISO_IR 192", "StudyInstanceUID": study_uid,
        "SeriesInstanceUID": series_uid, "SOPClassUID": i.sop_class_uid,
        "SOPInstanceUID": i.sop_instance_uid, "InstanceNumber": i.instance_number,
        "Rows": i.rows, "Columns": i.columns, "NumberOfFrames": i.number_of_frames,
        "AvailableTransferSyntaxUID": i.transfer_syntax_uid,
        "RetrieveURL": instance_url(request, study_uid, series_uid, i.sop_instance_uid),
    }  # fmt: skip
    answer = {TAGS[k]: _element(k, v) for k, v in values.items()}
    if more:  # attributes beyond the index's: from the stored metadata
        for tag, element in json.loads(i.metadata).items():
            if "all" in more or tag in more:
                answer.setdefault(tag, element)
    return answer


def _visible_studies(actor: Actor, request: HttpRequest) -> QuerySet[Study]:
    return studies_visible_to(actor).filter(_filter(request, STUDY_MATCHERS))


@require_GET
@dicomweb_view
def studies(request: HttpRequest, *, actor: Actor, reader: str) -> HttpResponse:
    limit, offset = _page(request)
    found = _visible_studies(actor, request).order_by("-study_date", "-study_time", "-id")
    shown = list(found[offset : offset + limit])
    _searched(actor, request, "studies", [s.patient_id for s in shown])
    rows = [_study_json(request, s) for s in shown]
    return _answer(rows)


@require_GET
@dicomweb_view
def series(request: HttpRequest, *, actor: Actor, reader: str, study_uid: str = "") -> HttpResponse:
    limit, offset = _page(request)
    if study_uid:
        study = get_study_for(actor=actor, study_uid=study_uid, reader=reader)
        found = Series.objects.filter(study=study).filter(_filter(request, SERIES_MATCHERS))
    else:
        studies_q = _prefixed(STUDY_MATCHERS, "study__")
        found = series_visible_to(actor).filter(_filter(request, {**studies_q, **SERIES_MATCHERS}))
    found = found.select_related("study").order_by("study_id", "series_number", "id")
    shown = list(found[offset : offset + limit])
    if not study_uid:  # within a study, its read is on record (get_study_for)
        _searched(actor, request, "series", [s.study.patient_id for s in shown])
    rows = [_series_json(request, s, s.study.study_instance_uid) for s in shown]
    return _answer(rows)


@require_GET
@dicomweb_view
def instances(
    request: HttpRequest, *, actor: Actor, reader: str, study_uid: str = "", series_uid: str = ""
) -> HttpResponse:
    limit, offset = _page(request)
    matchers = {**INSTANCE_MATCHERS, **_prefixed(SERIES_MATCHERS, "series__")}
    if study_uid:
        study = get_study_for(actor=actor, study_uid=study_uid, reader=reader)
        found = Instance.objects.filter(study=study)
        if series_uid:
            found = found.filter(series__series_instance_uid=series_uid)
    else:
        matchers.update(_prefixed(STUDY_MATCHERS, "study__"))
        found = instances_visible_to(actor)
    found = found.filter(_filter(request, matchers)).select_related("series", "study")
    found = found.order_by(
        "study_id", "series__series_number", "series_id", "instance_number", "id"
    )
    more = _included(request)
    if not more:
        found = found.defer("metadata")
    shown = list(found[offset : offset + limit])
    if not study_uid:
        _searched(actor, request, "instances", [i.study.patient_id for i in shown])
    rows = [
        _instance_json(request, i, i.study.study_instance_uid, i.series.series_instance_uid, more)
        for i in shown
    ]
    return _answer(rows)
