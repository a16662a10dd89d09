"""What is checked before anything is written: the Bundle's shape, and each entry's resource
against FHIR R4 (fhir.resources' R4B models, the R4 line of the installed release), the value
sets FHIR binds as required (the models accept any code there), and that the hospital writes
only under its own identifiers and code systems."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs
from uuid import UUID

from django.utils.translation import gettext_lazy as _
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from .outcome import Refusal

MAX_BYTES = 5 * 1024 * 1024
MAX_ENTRIES = 500
MESSAGE_SYSTEM = "urn:xietong:gateway-message"
RESIDENT_ID_SYSTEM = "urn:xietong:resident-id"
MRN_PREFIX = "urn:xietong:mrn:"
INSTITUTION_PREFIXES = ("urn:xietong:mrn:", "urn:xietong:source:", "urn:xietong:code:")

# What hospitals may push (issue 12), each with the element naming the patient it is about.
SUBJECT_OF = {
    "Patient": "",
    "Encounter": "subject",
    "Condition": "subject",
    "Observation": "subject",
    "DiagnosticReport": "subject",
    "MedicationRequest": "subject",
    "AllergyIntolerance": "patient",
    "Procedure": "subject",
    "DocumentReference": "subject",
    "ImagingStudy": "subject",
    # Orders from the HIS (ORM/OMG through the gateway).
    "ServiceRequest": "subject",
}

# Codes FHIR R4 binds as required.
_STATUS = "status"
VALUE_SETS: dict[tuple[str, str], frozenset[str]] = {
    ("Patient", "gender"): frozenset({"male", "female", "other", "unknown"}),
    ("Observation", _STATUS): frozenset(
        {"registered", "preliminary", "final", "amended", "corrected", "cancelled",
         "entered-in-error", "unknown"}
    ),
    ("DiagnosticReport", _STATUS): frozenset(
        {"registered", "partial", "preliminary", "final", "amended", "corrected", "appended",
         "cancelled", "entered-in-error", "unknown"}
    ),
    ("Encounter", _STATUS): frozenset(
        {"planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled",
         "entered-in-error", "unknown"}
    ),
    ("MedicationRequest", _STATUS): frozenset(
        {"active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft",
         "unknown"}
    ),
    ("Procedure", _STATUS): frozenset(
        {"preparation", "in-progress", "not-done", "on-hold", "stopped", "completed",
         "entered-in-error", "unknown"}
    ),
    ("DocumentReference", _STATUS): frozenset({"current", "superseded", "entered-in-error"}),
    ("ServiceRequest", _STATUS): frozenset(
        {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
    ),
    ("ImagingStudy", _STATUS): frozenset(
        {"registered", "available", "cancelled", "entered-in-error", "unknown"}
    ),
}  # fmt: skip


@dataclass
class Entry:
    """One entry of a pushed Bundle as it goes through the checks and the writing."""

    index: int
    full_url: str
    method: str
    resource_type: str
    resource: dict[str, Any]
    condition: tuple[str, str] | None  # the identifier (system, value) a conditional write names
    refusal: Refusal | None = None
    target_id: UUID | None = None
    existing_pk: int | None = None
    answer: dict[str, Any] | None = None

    @property
    def reference(self) -> str:
        return f"{self.resource_type}/{self.target_id}"


@dataclass(frozen=True)
class Bundle:
    kind: str  # batch | transaction
    message_id: str
    source: str
    entries: list[Entry]


def bundle_parse(raw: bytes) -> Bundle:
    """The Bundle, or a Refusal of the whole of it (not JSON, not a Bundle, too many entries)."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Refusal(400, "structure", _("The body is not JSON.")) from None
    if not isinstance(body, dict) or body.get("resourceType") != "Bundle":
        raise Refusal(400, "structure", _("The body is not a FHIR Bundle."))
    kind = body.get("type")
    if kind not in ("batch", "transaction"):
        raise Refusal(400, "value", _("Bundle.type must be batch or transaction."))
    identifier = body.get("identifier")
    message_id = identifier.get("value") if isinstance(identifier, dict) else None
    if (
        not isinstance(identifier, dict)
        or identifier.get("system") != MESSAGE_SYSTEM
        or not isinstance(message_id, str)
        or not message_id.strip()
        or len(message_id) > 128
    ):
        raise Refusal(
            400, "required",
            _("Bundle.identifier must carry the gateway's message id (system %(system)s)."),
            {"system": MESSAGE_SYSTEM},
        )  # fmt: skip
    raw_entries = body.get("entry") or []
    if not isinstance(raw_entries, list):
        raise Refusal(400, "structure", _("Bundle.entry must be a list."))
    if len(raw_entries) > MAX_ENTRIES:
        raise Refusal(
            413, "too-costly", _("A Bundle holds at most %(limit)s entries; this one has %(n)s."),
            {"limit": MAX_ENTRIES, "n": len(raw_entries)},
        )  # fmt: skip
    meta = body.get("meta")
    source = meta.get("source") if isinstance(meta, dict) else None
    entries = [_entry(i, e) for i, e in enumerate(raw_entries)]
    return Bundle(
        kind=kind,
        message_id=message_id.strip(),
        source=source if isinstance(source, str) else "",
        entries=entries,
    )


def _entry(index: int, raw: Any) -> Entry:
    entry = Entry(index, "", "", "", {}, None)
    if not isinstance(raw, dict):
        entry.refusal = Refusal(400, "structure", _("The entry is not a JSON object."))
        return entry
    resource, request = raw.get("resource"), raw.get("request")
    full_url = raw.get("fullUrl")
    entry.full_url = full_url if isinstance(full_url, str) else ""
    if not isinstance(resource, dict) or not isinstance(request, dict):
        entry.refusal = Refusal(400, "required", _("The entry needs a resource and a request."))
        return entry
    entry.resource = resource
    entry.resource_type = str(resource.get("resourceType", ""))
    entry.method = str(request.get("method", ""))
    try:
        entry.condition = _condition(entry, request)
    except Refusal as refusal:
        entry.refusal = refusal
    return entry


def _condition(entry: Entry, request: dict[str, Any]) -> tuple[str, str] | None:
    url = str(request.get("url", ""))
    if entry.resource_type not in SUBJECT_OF:
        raise Refusal(
            400, "not-supported", _("Resources of type %(type)s are not accepted here."),
            {"type": entry.resource_type or "?"},
        )  # fmt: skip
    if entry.method == "POST":
        if url != entry.resource_type:
            raise Refusal(400, "value", _("request.url must be the resource's type."))
        condition = request.get("ifNoneExist")
        return _identifier_query(str(condition)) if condition else None
    if entry.method == "PUT":
        prefix = f"{entry.resource_type}?"
        if not url.startswith(prefix):
            raise Refusal(
                400, "value",
                _("An update names its resource by identifier: %(type)s?identifier=system|value."),
                {"type": entry.resource_type},
            )  # fmt: skip
        return _identifier_query(url[len(prefix) :])
    raise Refusal(400, "not-supported", _("request.method must be POST or PUT."))


def _identifier_query(query: str) -> tuple[str, str]:
    name, _sep, token = query.partition("=")
    system, bar, value = token.partition("|")
    if name != "identifier" or not bar or not system or not value:
        raise Refusal(
            400, "value", _("A condition must be identifier=system|value (got %(query)s)."),
            {"query": query[:200]},
        )  # fmt: skip
    return system, value


def entry_check(entry: Entry, *, institution_code: str) -> None:
    """Sets entry.refusal when the resource is not one we accept as it is."""
    if entry.refusal is not None:
        return
    try:
        _validate(entry, institution_code)
    except Refusal as refusal:
        refusal.expression = refusal.expression or f"Bundle.entry[{entry.index}]"
        entry.refusal = refusal


def _validate(entry: Entry, institution_code: str) -> None:
    resource = entry.resource
    try:
        get_fhir_model_class(entry.resource_type).model_validate(resource)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise Refusal(
            400, "invalid", _("The resource is not valid FHIR R4"),
            detail=f"{entry.resource_type}.{where}: {first['msg']}",
        ) from None  # fmt: skip
    for (resource_type, element), codes in VALUE_SETS.items():
        value = resource.get(element)
        if resource_type == entry.resource_type and value is not None and value not in codes:
            raise Refusal(
                400, "code-invalid",
                _("%(type)s.%(element)s cannot be %(value)s; allowed: %(allowed)s."),
                {"type": resource_type, "element": element, "value": json.dumps(value),
                 "allowed": ", ".join(sorted(codes))},
                expression=f"{resource_type}.{element}",
            )  # fmt: skip
    identifiers = [
        (i.get("system", ""), i.get("value", ""))
        for i in resource.get("identifier", []) or []
        if isinstance(i, dict)
    ]
    if entry.condition is not None and entry.condition not in identifiers:
        raise Refusal(
            400, "value", _("The resource must carry the identifier its condition names (%(id)s)."),
            {"id": "|".join(entry.condition)},
        )  # fmt: skip
    systems = [s for s, _v in identifiers] + [s for s in _coding_systems(resource)]
    for reference in subject_identifiers(entry):
        systems.append(reference[0])
    for system in systems:
        if not institution_system_ours(system, institution_code):
            raise Refusal(
                403, "security",
                _("This gateway writes only as its own institution (%(code)s); %(system)s "
                  "belongs to another."),
                {"code": institution_code, "system": system},
            )  # fmt: skip


def institution_system_ours(system: str, institution_code: str) -> bool:
    """Whether a system naming an institution (its MRNs, its record ids, its code tables)
    names this one; systems that name none are anyone's."""
    for prefix in INSTITUTION_PREFIXES:
        if system.startswith(prefix):
            rest = system[len(prefix) :]
            named = rest if prefix == MRN_PREFIX else rest.split(":", 1)[0]
            return named == institution_code
    return True


def _coding_systems(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        coding = node.get("coding")
        if isinstance(coding, list):
            found += [c["system"] for c in coding if isinstance(c, dict) and "system" in c]
        for value in node.values():
            found += _coding_systems(value)
    elif isinstance(node, list):
        for value in node:
            found += _coding_systems(value)
    return found


def subject_identifiers(entry: Entry) -> list[tuple[str, str]]:
    """The patient named by identifier instead of a reference (a logical reference)."""
    element = SUBJECT_OF.get(entry.resource_type, "")
    subject = entry.resource.get(element) if element else None
    if isinstance(subject, dict) and "reference" not in subject:
        identifier = subject.get("identifier")
        if isinstance(identifier, dict):
            return [(str(identifier.get("system", "")), str(identifier.get("value", "")))]
    if isinstance(subject, dict) and isinstance(subject.get("reference"), str):
        named = conditional_patient(subject["reference"])
        if named is not None:
            return [named]
    return []


def conditional_patient(reference: str) -> tuple[str, str] | None:
    """`Patient?identifier=system|value`, a conditional reference as FHIR transactions
    write it: the patient named by identifier, resolved like a logical reference."""
    kind, mark, query = reference.partition("?")
    if kind != "Patient" or not mark:
        return None
    asked = parse_qs(query)
    if set(asked) != {"identifier"} or len(asked["identifier"]) != 1:
        return None
    system, bar, value = asked["identifier"][0].partition("|")
    return (system, value) if bar and system and value else None
