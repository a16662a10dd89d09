"""FHIR R4 from a hospital system that already speaks it, as the Bundles the outbox keeps.

Nothing is translated: the resource goes to the platform as the hospital wrote it, with its
own code systems and identifiers. What the gateway adds is what delivery needs: a message id
(the idempotency key), the patient it belongs to (delivery keeps each patient's order), and a
request that makes a resend change nothing (a conditional update on the resource's
identifier). A batch becomes one message per entry, so one patient's entries never wait on
another's; a transaction stays one message, applied all or nothing by the platform.

The message id is the content's hash: the same resource sent again (the system missed our
201) is kept once; a changed resource is a new message. A system that reverts a resource to an
earlier content without changing its `meta` would be taken for a resend (and the platform
already holds that content once).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from .common import Json, Mapped, mrn_system

# The types the platform takes, and the element naming each one's patient.
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
    "ServiceRequest": "subject",
}
_CONDITIONAL = "Patient?identifier="


@dataclass
class FhirInputError(Exception):
    """Why a resource or Bundle cannot be taken; `expression` names where (FHIRPath)."""

    text: str
    expression: str
    code: str = "invalid"


def map_resource(resource: Any, *, institution: str, expression: str = "") -> Mapped:
    """One resource POSTed or PUT on its own: one message."""
    where = expression or _type_of(resource)
    resource = _check(resource, where)
    key = _patient_key(resource, institution, where, patients={})
    return _message([_entry(_by_identifier(resource, {}))], key, institution, "batch")


def map_bundle(bundle: Any, *, institution: str) -> list[Mapped]:
    """A batch (one message per entry, each patient's entries in their order) or a
    transaction (one message)."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise FhirInputError("不是 FHIR Bundle / not a FHIR Bundle", "Bundle", "structure")
    kind = bundle.get("type")
    if kind not in ("batch", "transaction"):
        raise FhirInputError(
            f"Bundle.type 须为 batch 或 transaction(收到 {kind!r})"
            " / Bundle.type must be batch or transaction",
            "Bundle.type",
            "value",
        )
    raw_entries = bundle.get("entry")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise FhirInputError(
            "Bundle 没有条目 / the Bundle has no entry", "Bundle.entry", "required"
        )
    resources = []
    for i, entry in enumerate(raw_entries):
        where = f"Bundle.entry[{i}].resource"
        resource = entry.get("resource") if isinstance(entry, dict) else None
        resources.append((str(entry.get("fullUrl") or ""), _check(resource, where), where))
    # Patients of this Bundle by their fullUrl, so an entry may name one as the
    # hospital's system wrote it (`urn:uuid:…`).
    patients = {
        url: (_patient_key(r, institution, w, patients={}), _identifier(r))
        for url, r, w in resources
        if url and r["resourceType"] == "Patient"
    }
    if kind == "transaction":
        # Within a transaction references to its own entries stay: it is applied whole.
        entries = [_entry(_by_identifier(r, {}), full_url=url) for url, r, _w in resources]
        _url, first, where = resources[0]
        key = _patient_key(first, institution, where, patients=patients)
        return [_message(entries, key, institution, bundle_type="transaction")]
    messages = []
    for _url, resource, where in resources:
        key = _patient_key(resource, institution, where, patients=patients)
        messages.append(
            _message([_entry(_by_identifier(resource, patients))], key, institution, "batch")
        )
    return messages


def _type_of(resource: Any) -> str:
    return str(resource.get("resourceType") or "Resource") if isinstance(resource, dict) else "?"


def _check(resource: Any, where: str) -> Json:
    """The resource, once it is one we can deliver; FhirInputError naming why not."""
    if not isinstance(resource, dict):
        raise FhirInputError("不是 JSON 对象 / not a JSON object", where, "structure")
    kind = resource.get("resourceType")
    if kind not in SUBJECT_OF:
        raise FhirInputError(
            f"不接收 {kind!r} 类型的资源 / resource type not taken"
            f" (taken: {', '.join(SUBJECT_OF)})",
            f"{where}.resourceType",
            "not-supported",
        )
    if _identifier(resource) is None:
        raise FhirInputError(
            "资源须有 identifier(system 与 value),平台据此去重"
            " / the resource needs an identifier with system and value",
            f"{where}.identifier",
            "required",
        )
    element = SUBJECT_OF[kind]
    if element and not isinstance(resource.get(element), dict):
        raise FhirInputError(
            f"{kind}.{element} 须指明患者 / {kind}.{element} must name the patient",
            f"{where}.{element}",
            "required",
        )
    return resource


def _identifier(resource: Json) -> tuple[str, str] | None:
    for ident in resource.get("identifier") or []:
        if isinstance(ident, dict) and ident.get("system") and ident.get("value"):
            return str(ident["system"]), str(ident["value"])
    return None


def _patient_key(
    resource: Json, institution: str, where: str, *, patients: dict[str, tuple[str, Any]]
) -> str:
    """The same key the HL7 listener gives this patient (`<institution>|<MRN>`) when the
    MRN is named, so the two sources of one hospital keep one order per patient."""
    element = SUBJECT_OF[resource["resourceType"]]
    if not element:
        idents = [i for i in resource.get("identifier") or [] if isinstance(i, dict)]
        mrn = [i for i in idents if i.get("system") == mrn_system(institution) and i.get("value")]
        if mrn:
            return f"{institution}|{mrn[0]['value']}"
        system, value = _identifier(resource) or ("", "")
        return f"{system}|{value}"
    subject = resource[element]
    ident = subject.get("identifier")
    if isinstance(ident, dict) and ident.get("system") and ident.get("value"):
        return _key_of(str(ident["system"]), str(ident["value"]), institution)
    reference = str(subject.get("reference") or "")
    if reference in patients:
        return patients[reference][0]
    if reference.startswith(_CONDITIONAL):
        system, bar, value = reference[len(_CONDITIONAL) :].partition("|")
        if bar and system and value:
            return _key_of(system, value, institution)
    if reference.startswith("Patient/"):
        return reference
    raise FhirInputError(
        f"无法识别患者引用 {reference!r} / the patient reference names no patient",
        f"{where}.{element}",
        "value",
    )


def _key_of(system: str, value: str, institution: str) -> str:
    return f"{institution}|{value}" if system == mrn_system(institution) else f"{system}|{value}"


def _by_identifier(resource: Json, patients: dict[str, tuple[str, Any]]) -> Json:
    """The patient named by identifier, as the platform resolves it: a batch entry travels
    alone, so its reference to a Patient entry of the same Bundle becomes that patient's
    identifier; so does a conditional reference (`Patient?identifier=system|value`)."""
    element = SUBJECT_OF[resource["resourceType"]]
    reference = str((resource.get(element) or {}).get("reference") or "") if element else ""
    if reference in patients:
        system, value = patients[reference][1]
    elif reference.startswith(_CONDITIONAL):
        system, _bar, value = reference[len(_CONDITIONAL) :].partition("|")
    else:
        return resource
    return {**resource, element: {"identifier": {"system": system, "value": value}}}


def _entry(resource: Json, *, full_url: str = "") -> Json:
    system, value = _identifier(resource) or ("", "")
    kind = resource["resourceType"]
    return {
        "fullUrl": full_url or f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, _canonical(resource))}",
        "resource": resource,
        "request": {"method": "PUT", "url": f"{kind}?identifier={system}|{value}"},
    }


def _canonical(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _message(entries: list[Json], key: str, institution: str, bundle_type: str) -> Mapped:
    digest = hashlib.sha256(_canonical([bundle_type, entries]).encode()).hexdigest()[:32]
    message_id = f"{institution}:FHIR:{digest}"
    return Mapped(
        message_id=message_id,
        patient_key=key,
        bundle={
            "resourceType": "Bundle",
            "type": bundle_type,
            "identifier": {"system": "urn:xietong:gateway-message", "value": message_id},
            "entry": entries,
        },
    )
