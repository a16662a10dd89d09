"""What QIDO-RS matches on (PS3.4 C.2.2.2, as far as the index answers): the attributes by
keyword or tag, single values, UID lists, * and ? in names, date ranges; limit and offset."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _

from xietong.core.errors import ValidationFailed

from ..dicom import name_search_key

LIMIT_DEFAULT = 100
LIMIT_MAX = 1000

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


def keyword_of(name: str) -> str:
    return KEYWORDS.get(name.upper(), name)


def element(keyword: str, value: Any) -> dict[str, Any]:
    vr = VR[keyword]
    if value in (None, "", []):
        return {"vr": vr}
    values = value if isinstance(value, list) else [value]
    if vr == "PN":
        values = [_person_name(v) for v in values]
    return {"vr": vr, "Value": values}


def _person_name(value: str) -> dict[str, str]:
    """A PN's groups (alphabetic=ideographic=phonetic) as DICOM JSON names them (F.2.2)."""
    groups = zip(("Alphabetic", "Ideographic", "Phonetic"), value.split("="), strict=False)
    return {name: group for name, group in groups if group}


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


def _person_name_q(value: str) -> Q:
    """A name matches any of the PN's groups: "王芳" finds "WANG^FANG=王芳" too. The
    alphabetic group comes first, so a prefix of it still uses the index."""
    field = "patient_name_search"
    if "*" not in value and "?" not in value:
        whole = Q(**{field: value}) | Q(**{f"{field}__startswith": f"{value}="})
        return (
            whole
            | Q(**{f"{field}__contains": f"={value}="})
            | Q(**{f"{field}__endswith": f"={value}"})
        )
    if value.endswith("*") and "*" not in value[:-1] and "?" not in value:
        prefix = value[:-1]
        return Q(**{f"{field}__startswith": prefix}) | Q(**{f"{field}__contains": f"={prefix}"})
    body = "".join("[^=]*" if c == "*" else "[^=]" if c == "?" else re.escape(c) for c in value)
    return Q(**{f"{field}__regex": f"(^|=){body}(=|$)"})


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
    "PatientName": lambda v: _person_name_q(name_search_key(v)),
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


def prefixed(matchers: dict[str, Matcher], prefix: str) -> dict[str, Matcher]:
    def wrap(matcher: Matcher) -> Matcher:
        return lambda v: _prefix_q(matcher(v), prefix)

    return {k: wrap(m) for k, m in matchers.items()}


def filter_q(request: HttpRequest, matchers: dict[str, Matcher]) -> Q:
    q = Q()
    for name in request.GET:
        value = request.GET.get(name, "")
        keyword = keyword_of(name)
        if name in CONTROL or keyword not in matchers or value == "":
            continue  # an attribute we do not index matches everything (PS3.18 8.3.4.1)
        q &= matchers[keyword](value)
    return q


def page_of(request: HttpRequest) -> tuple[int, int]:
    try:
        limit = min(int(request.GET.get("limit", LIMIT_DEFAULT)), LIMIT_MAX)
        offset = max(int(request.GET.get("offset", 0)), 0)
    except ValueError as exc:
        raise ValidationFailed.single("limit", _("Enter a whole number.")) from exc
    return max(limit, 0), offset
