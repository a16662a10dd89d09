"""What a clinician reads of each pushed resource on the timeline: its name, a value with its
unit and reference range, its status, a line or two of detail. Taken from the JSON as the
hospital sent it (validated at the edge), tolerant of what an element may leave out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .entries import Entry
from .kinds import KIND_OF_TYPE

Json = dict[str, Any]

# Encounter.class (v3 ActCode), as HIS staff name them.
ENCOUNTER_CLASSES = {
    "IMP": gettext_lazy("Inpatient"),
    "AMB": gettext_lazy("Outpatient"),
    "EMER": gettext_lazy("Emergency"),
    "PRENC": gettext_lazy("Pre-admission"),
    "HH": gettext_lazy("Home visit"),
}
STATUSES = {
    "in-progress": gettext_lazy("In progress"),
    "finished": gettext_lazy("Finished"),
    "planned": gettext_lazy("Planned"),
    "arrived": gettext_lazy("Arrived"),
    "triaged": gettext_lazy("Triaged"),
    "onleave": gettext_lazy("On leave"),
    "cancelled": gettext_lazy("Cancelled"),
    "entered-in-error": gettext_lazy("Entered in error"),
    "preliminary": gettext_lazy("Preliminary"),
    "final": gettext_lazy("Final"),
    "amended": gettext_lazy("Amended"),
    "corrected": gettext_lazy("Corrected"),
    "active": gettext_lazy("Active"),
    "completed": gettext_lazy("Completed"),
    "stopped": gettext_lazy("Stopped"),
    "resolved": gettext_lazy("Resolved"),
    "inactive": gettext_lazy("Inactive"),
    "current": gettext_lazy("Current"),
    "available": gettext_lazy("Available"),
}
# Observation.interpretation codes (v3 ObservationInterpretation) that say high or low.
HIGH = frozenset({"H", "HH", "HU", ">"})
LOW = frozenset({"L", "LL", "LU", "<"})


def concept_text(concept: Any) -> str:
    """A CodeableConcept as words: its text, else a coding's display, else a code."""
    if isinstance(concept, list):
        concept = concept[0] if concept else None
    if not isinstance(concept, dict):
        return ""
    if concept.get("text"):
        return str(concept["text"])
    codings = [c for c in concept.get("coding") or [] if isinstance(c, dict)]
    for c in codings:
        if c.get("display"):
            return str(c["display"])
    return str(codings[0].get("code", "")) if codings else ""


def _number(value: Any) -> str:
    """A result as the laboratory wrote it: 7.2, not the 7.199999999999999 that a value
    computed in binary floating point can arrive as."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.10g}"
    return str(value)


def quantity_text(quantity: Any) -> tuple[str, str]:
    if not isinstance(quantity, dict) or quantity.get("value") is None:
        return "", ""
    unit = str(quantity.get("unit") or quantity.get("code") or "")
    return _number(quantity["value"]), unit


def range_text(resource: Json) -> tuple[str, float | None, float | None]:
    """The first reference range as written, with its bounds as numbers when it has them."""
    ranges = resource.get("referenceRange") or []
    first = ranges[0] if ranges and isinstance(ranges[0], dict) else {}
    low = (first.get("low") or {}).get("value")
    high = (first.get("high") or {}).get("value")
    text = str(first.get("text") or "")
    if not text and (low is not None or high is not None):
        text = (
            f"{_number(low)}–{_number(high)}"
            if low is not None and high is not None
            else (f"≥{_number(low)}" if low is not None else f"≤{_number(high)}")
        )
    as_float = [float(b) if isinstance(b, (int, float)) else None for b in (low, high)]
    return text, as_float[0], as_float[1]


def observation_flag(resource: Json, number: float | None) -> str:
    """ "high" or "low" as the laboratory flagged it, else as the value stands to its range."""
    for concept in resource.get("interpretation") or []:
        for coding in (concept or {}).get("coding") or []:
            code = str((coding or {}).get("code", "")).upper()
            if code in HIGH:
                return "high"
            if code in LOW:
                return "low"
    _text, low, high = range_text(resource)
    if number is not None and high is not None and number > high:
        return "high"
    if number is not None and low is not None and number < low:
        return "low"
    return ""


def _status(resource: Json) -> str:
    raw = resource.get("status")
    if not raw and isinstance(resource.get("clinicalStatus"), dict):
        codings = resource["clinicalStatus"].get("coding") or [{}]
        raw = codings[0].get("code")
    return str(STATUSES.get(str(raw), raw or ""))


def _local(value: Any) -> str:
    from ..push.columns import fhir_instant

    instant = fhir_instant(value) if isinstance(value, str) else None
    if instant is None:
        return ""
    return instant.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")


def _encounter(r: Json, entry: Entry) -> None:
    kind = r.get("class") or {}
    code = str(kind.get("code", "")) if isinstance(kind, dict) else ""
    label = ENCOUNTER_CLASSES.get(code) or (kind.get("display") if isinstance(kind, dict) else "")
    service = concept_text(r.get("serviceType")) or concept_text(r.get("type"))
    entry.title = " · ".join(str(p) for p in (label, service) if p) or _("Encounter")
    period = r.get("period") or {}
    if period.get("end"):
        entry.lines.append(_("Discharged %(when)s") % {"when": _local(period["end"])})
    places = [(x.get("location") or {}).get("display", "") for x in r.get("location") or []]
    if places and places[0]:
        entry.lines.append(str(places[0]))
    reasons = [concept_text(c) for c in r.get("reasonCode") or []]
    entry.lines += [x for x in reasons if x]


def _observation(r: Json, entry: Entry) -> None:
    entry.title = concept_text(r.get("code")) or _("Result")
    number: float | None = None
    if "valueQuantity" in r:
        entry.value, entry.unit = quantity_text(r["valueQuantity"])
        raw = (r["valueQuantity"] or {}).get("value")
        number = float(raw) if isinstance(raw, (int, float)) else None
    elif "valueString" in r:  # a remark in words reads as a line, not as a figure
        entry.lines.append(str(r["valueString"]))
    elif "valueCodeableConcept" in r:
        entry.value = concept_text(r["valueCodeableConcept"])
    entry.reference = range_text(r)[0]
    entry.flag = observation_flag(r, number)


def _imaging(r: Json, entry: Entry) -> None:
    modalities = [str(m.get("code", "")) for m in r.get("modality") or [] if isinstance(m, dict)]
    entry.title = str(r.get("description") or "") or concept_text(r.get("procedureCode"))
    entry.title = entry.title or _("Imaging study")
    if modalities:
        entry.lines.append(" / ".join(m for m in modalities if m))


def _medication(r: Json, entry: Entry) -> None:
    entry.title = concept_text(r.get("medicationCodeableConcept")) or _("Prescription")
    dosage = [str(d.get("text", "")) for d in r.get("dosageInstruction") or [] if d]
    entry.lines += [d for d in dosage if d]


def _allergy(r: Json, entry: Entry) -> None:
    entry.title = concept_text(r.get("code")) or _("Allergy")
    reactions = [
        concept_text(m)
        for reaction in r.get("reaction") or []
        for m in (reaction or {}).get("manifestation") or []
    ]
    if any(reactions):
        entry.lines.append(_("Reaction: %(what)s") % {"what": "、".join(x for x in reactions if x)})
    if r.get("criticality") == "high":
        entry.flag = "high"


def _report(r: Json, entry: Entry) -> None:
    entry.title = concept_text(r.get("code")) or _("Report")
    if r.get("conclusion"):
        entry.lines.append(str(r["conclusion"]))


def _document(r: Json, entry: Entry) -> None:
    entry.title = concept_text(r.get("type")) or str(r.get("description") or "") or _("Document")
    if r.get("description") and entry.title != r["description"]:
        entry.lines.append(str(r["description"]))


def _coded(fallback: Any) -> Any:
    def fill(r: Json, entry: Entry) -> None:
        entry.title = concept_text(r.get("code")) or str(fallback)
        codes = [(c or {}).get("code") for c in (r.get("code") or {}).get("coding") or []]
        if codes and codes[0]:
            entry.lines.append(str(codes[0]))

    return fill


_FILL = {
    "Encounter": _encounter,
    "Condition": _coded(gettext_lazy("Diagnosis")),
    "Observation": _observation,
    "DiagnosticReport": _report,
    "ImagingStudy": _imaging,
    "MedicationRequest": _medication,
    "AllergyIntolerance": _allergy,
    "Procedure": _coded(gettext_lazy("Procedure")),
    "DocumentReference": _document,
}


def entry_of(
    *, resource_type: str, content: Json, at: dt.datetime | None, institution_id: int,
    institution: str, tiebreak: int,
) -> Entry:  # fmt: skip
    entry = Entry(kind=KIND_OF_TYPE[resource_type], at=at, institution_id=institution_id,
                  institution=institution, title="", tiebreak=tiebreak)  # fmt: skip
    entry.status = _status(content)
    _FILL[resource_type](content, entry)
    return entry
