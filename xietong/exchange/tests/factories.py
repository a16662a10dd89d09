"""Gateways and contract-shaped Bundles, as a hospital's gateway sends them."""

from __future__ import annotations

import json
import uuid
from typing import Any, cast

from django.test import Client
from django.utils import timezone

from xietong.accounts.tests.factories import make_actor
from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory
from xietong.patients.models import Patient

from ..gateways import gateway_register
from ..models import Gateway

FHIR_JSON = "application/fhir+json"


def make_gateway(institution: Institution | None = None) -> tuple[Gateway, str]:
    admin = make_actor("platform_admin")
    where = institution or cast(Institution, InstitutionFactory())
    return gateway_register(actor=admin, institution_id=where.pk, name="HIS 前置机")


def mrn(institution: Institution) -> str:
    return f"urn:xietong:mrn:{institution.code}"


def patient_entry(
    institution: Institution, number: str, *, resident_id: str = "", full_url: str = "",
    gender: str = "male", name: str = "张三",
) -> dict[str, Any]:  # fmt: skip
    identifiers = [{"system": mrn(institution), "value": number}]
    if resident_id:
        identifiers.append({"system": "urn:xietong:resident-id", "value": resident_id})
    return {
        "fullUrl": full_url or f"urn:uuid:{uuid.uuid4()}",
        "resource": {
            "resourceType": "Patient",
            "identifier": identifiers,
            "name": [{"text": name}],
            "gender": gender,
            "birthDate": "1960-03-04",
        },
        "request": {"method": "POST", "url": "Patient",
                    "ifNoneExist": f"identifier={mrn(institution)}|{number}"},
    }  # fmt: skip


def observation_entry(
    institution: Institution, result_id: str, subject: dict[str, Any], *, value: float = 5.6,
    status: str = "final", effective: str = "2026-11-20T08:30:00+08:00",
) -> dict[str, Any]:  # fmt: skip
    system = f"urn:xietong:source:{institution.code}:result"
    return {
        "fullUrl": f"urn:uuid:{uuid.uuid4()}",
        "resource": {
            "resourceType": "Observation",
            "identifier": [{"system": system, "value": result_id}],
            "status": status,
            "category": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "laboratory"}]}],
            "code": {"coding": [
                {"system": "http://loinc.org", "code": "2345-7", "display": "Glucose"},
                {"system": f"urn:xietong:code:{institution.code}:lab", "code": "GLU"},
            ], "text": "葡萄糖"},
            "subject": subject,
            "effectiveDateTime": effective,
            "valueQuantity": {"value": value, "unit": "mmol/L",
                              "system": "http://unitsofmeasure.org", "code": "mmol/L"},
        },
        "request": {"method": "PUT", "url": f"Observation?identifier={system}|{result_id}"},
    }  # fmt: skip


def bundle(
    entries: list[dict[str, Any]], *, kind: str = "batch", message_id: str = ""
) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": kind,
        "identifier": {"system": "urn:xietong:gateway-message",
                       "value": message_id or str(uuid.uuid4())},
        "meta": {"source": "urn:his:demo"},
        "entry": entries,
    }  # fmt: skip


def push(secret: str, body: Any, client: Client | None = None) -> Any:
    raw = body if isinstance(body, (bytes, str)) else json.dumps(body, ensure_ascii=False)
    return (client or Client()).post(
        "/fhir/R4", raw, content_type=FHIR_JSON, headers={"authorization": f"Bearer {secret}"}
    )


def sharing_consented(patient: Patient, institution: Institution) -> None:
    """The patient's written consent to sharing, recorded at the institution: its clinicians
    then read what other hospitals pushed for the patient (docs/adr/0033, ground b)."""
    from xietong.accounts.actors import actor_for_membership
    from xietong.accounts.models import Membership
    from xietong.accounts.tests.factories import MembershipFactory
    from xietong.patients.services import consent_record
    from xietong.patients.tests.factories import pdf_bytes, upload

    clerk = actor_for_membership(
        cast(Membership, MembershipFactory(institution=institution, roles=["requester"]))
    )
    consent_record(
        actor=clerk, patient=patient, kind="sharing", signed_on=timezone.localdate(),
        signed_by=patient.name, relationship="self", scan=upload(pdf_bytes(), "consent.pdf"),
    )  # fmt: skip
