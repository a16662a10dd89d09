"""The Bundle a hospital receives: the patient as that hospital knows them, then what is told.

A `collection` (nothing for the hospital to apply as a transaction; its systems take what
they understand), its identifier the idempotency key the gateway stores it under."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xietong.directory.models import Institution
from xietong.patients.models import IdentifierSystem, Patient, PatientIdentifier

from ..push.edge import MRN_PREFIX, RESIDENT_ID_SYSTEM
from .registry import PushContent

MESSAGE_SYSTEM = "urn:xietong:platform-message"
GENDER = {"M": "male", "F": "female", "O": "other", "U": "unknown"}


def patient_resource(patient: Patient, institution: Institution) -> dict[str, Any]:
    """Our patient with the identifiers the receiving hospital can match: its own MRN when
    the platform knows it, and the resident ID."""
    identifiers = [
        {"system": f"{MRN_PREFIX}{institution.code}", "value": value}
        for value in PatientIdentifier.objects.filter(
            patient_id=patient.pk, system=IdentifierSystem.MRN, assigner_id=institution.pk
        ).values_list("value", flat=True)
    ]
    if patient.resident_id:
        identifiers.append({"system": RESIDENT_ID_SYSTEM, "value": patient.resident_id})
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(patient.uuid),
        "identifier": identifiers,
        "name": [{"text": patient.name}],
        "gender": GENDER.get(patient.sex, "unknown"),
        "birthDate": patient.birth_date.isoformat(),
    }
    if not identifiers:
        del resource["identifier"]
    return resource


def bundle_build(
    content: PushContent,
    *,
    patient: Patient,
    institution: Institution,
    message_id: str,
    at: dt.datetime,
) -> dict[str, Any]:
    resources = [patient_resource(patient, institution), *content.resources]
    return {
        "resourceType": "Bundle",
        "identifier": {"system": MESSAGE_SYSTEM, "value": message_id},
        "type": "collection",
        "timestamp": at.isoformat(),
        "meta": {"tag": [{"system": "urn:xietong:push-kind", "code": content.kind}]},
        "entry": [{"resource": r} for r in resources],
    }
