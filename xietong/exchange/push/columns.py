"""The search columns taken out of a resource when it is stored."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from ..models import TokenParam

# A time without a zone is the hospital's wall clock, which in this province is Beijing time.
LOCAL = ZoneInfo("Asia/Shanghai")

DATE_OF: dict[str, tuple[str, ...]] = {
    "Patient": ("birthDate",),
    "Encounter": ("period.start",),
    "Condition": ("onsetDateTime", "recordedDate"),
    "Observation": ("effectiveDateTime", "effectivePeriod.start", "issued"),
    "DiagnosticReport": ("effectiveDateTime", "effectivePeriod.start", "issued"),
    "MedicationRequest": ("authoredOn",),
    "AllergyIntolerance": ("recordedDate",),
    "Procedure": ("performedDateTime", "performedPeriod.start"),
    "DocumentReference": ("date",),
    "ImagingStudy": ("started",),
    "ServiceRequest": ("authoredOn", "occurrenceDateTime"),
}
CODE_OF: dict[str, str] = {
    "Condition": "code",
    "Observation": "code",
    "DiagnosticReport": "code",
    "Procedure": "code",
    "AllergyIntolerance": "code",
    "MedicationRequest": "medicationCodeableConcept",
    "Encounter": "type",
    "DocumentReference": "type",
    "ServiceRequest": "code",
}
CATEGORY_OF = (
    "Observation",
    "Condition",
    "DiagnosticReport",
    "DocumentReference",
    "ServiceRequest",
)

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def fhir_instant(value: str) -> dt.datetime | None:
    """The first instant a FHIR date or dateTime names ("2026", "2026-05-01", with a time and
    zone or without), None when it is not one."""
    match = _PARTIAL.match(value)
    if match:
        year, month, day = match.groups()
        return dt.datetime(int(year), int(month or 1), int(day or 1), tzinfo=LOCAL)
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LOCAL)


def _path(resource: dict[str, Any], path: str) -> Any:
    node: Any = resource
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def resource_date(resource_type: str, resource: dict[str, Any]) -> dt.datetime | None:
    for path in DATE_OF.get(resource_type, ()):
        value = _path(resource, path)
        if isinstance(value, str) and (instant := fhir_instant(value)) is not None:
            return instant
    return None


def _codings(concepts: Any) -> list[tuple[str, str]]:
    if isinstance(concepts, dict):
        concepts = [concepts]
    if not isinstance(concepts, list):
        return []
    return [
        (str(c.get("system", "")), str(c["code"]))
        for concept in concepts
        if isinstance(concept, dict)
        for c in concept.get("coding", []) or []
        if isinstance(c, dict) and c.get("code")
    ]


def resource_tokens(resource_type: str, resource: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(param, system, value) for each identifier, code and category."""
    tokens = [
        (TokenParam.IDENTIFIER.value, str(i.get("system", "")), str(i["value"]))
        for i in resource.get("identifier", []) or []
        if isinstance(i, dict) and i.get("value")
    ]
    if resource_type in CODE_OF:
        concepts = resource.get(CODE_OF[resource_type])
        tokens += [(TokenParam.CODE.value, s, v) for s, v in _codings(concepts)]
    if resource_type in CATEGORY_OF:
        tokens += [(TokenParam.CATEGORY.value, s, v) for s, v in _codings(resource.get("category"))]
    # Each once: a hospital-wide search joins one token row per resource (search.py).
    return list(dict.fromkeys((p, s[:200], v[:200]) for p, s, v in tokens))
