"""A resident known at two hospitals, each pushing through its own gateway what its HIS
recorded: the county hospital an admission, a diagnosis, glucose results, a prescription and
an allergy; the city hospital a glucose result, a report, a procedure and a document. The
resident consented to sharing at both hospitals, so each reads the other's (docs/adr/0033)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, cast

from django.test import Client

from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import MembershipFactory
from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory
from xietong.patients.grants import care_relationship_open
from xietong.patients.models import CareReason, Patient
from xietong.patients.tests.factories import make_patient

from .factories import (
    bundle,
    make_gateway,
    observation_entry,
    patient_entry,
    push,
    sharing_consented,
)

Json = dict[str, Any]


def resource_entry(institution: Institution, table: str, number: str, resource: Json) -> Json:
    """A conditional update on the hospital's own identifier, as the gateway sends."""
    system = f"urn:xietong:source:{institution.code}:{table}"
    kind = resource["resourceType"]
    return {
        "fullUrl": f"urn:uuid:{uuid.uuid4()}",
        "resource": {**resource, "identifier": [{"system": system, "value": number}]},
        "request": {"method": "PUT", "url": f"{kind}?identifier={system}|{number}"},
    }


def glucose(
    institution: Institution, number: str, subject: Json, value: float, effective: str
) -> Json:
    entry = observation_entry(institution, number, subject, value=value, effective=effective)
    entry["resource"]["referenceRange"] = [{
        "low": {"value": 3.9, "unit": "mmol/L"}, "high": {"value": 6.1, "unit": "mmol/L"},
        "text": "3.9-6.1"}]  # fmt: skip
    return entry


def county_records(hospital: Institution, subject: Json) -> list[Json]:
    return [
        resource_entry(hospital, "visit", "V001", {
            "resourceType": "Encounter", "status": "in-progress",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                      "code": "IMP", "display": "inpatient encounter"},
            "serviceType": {"text": "心内科"}, "subject": subject,
            "period": {"start": "2026-11-01T08:00:00+08:00"},
            "location": [{"location": {"display": "心内科病区 0302 02"}}],
        }),
        resource_entry(hospital, "diagnosis", "D001", {
            "resourceType": "Condition", "subject": subject,
            "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "I10",
                                 "display": "原发性高血压"}]},
            "recordedDate": "2026-11-01T09:00:00+08:00",
        }),
        glucose(hospital, "R1", subject, 5.2, "2026-11-02T07:30:00+08:00"),
        glucose(hospital, "R2", subject, 8.4, "2026-11-05T07:30:00+08:00"),
        resource_entry(hospital, "prescription", "P001", {
            "resourceType": "MedicationRequest", "status": "active", "intent": "order",
            "medicationCodeableConcept": {"text": "硝苯地平控释片 30mg"}, "subject": subject,
            "authoredOn": "2026-11-03T10:00:00+08:00",
            "dosageInstruction": [{"text": "每日一次，每次一片，口服"}],
        }),
        resource_entry(hospital, "allergy", "A001", {
            "resourceType": "AllergyIntolerance", "patient": subject, "criticality": "high",
            "code": {"text": "青霉素"}, "recordedDate": "2026-11-01T08:30:00+08:00",
            "reaction": [{"manifestation": [{"text": "皮疹"}]}],
        }),
    ]  # fmt: skip


def city_records(hospital: Institution, subject: Json) -> list[Json]:
    return [
        glucose(hospital, "C-R1", subject, 3.1, "2026-11-10T08:00:00+08:00"),
        resource_entry(hospital, "report", "RPT1", {
            "resourceType": "DiagnosticReport", "status": "final", "subject": subject,
            "code": {"text": "心脏彩超"}, "effectiveDateTime": "2026-11-11T09:00:00+08:00",
            "conclusion": "左室舒张功能减低",
        }),
        resource_entry(hospital, "procedure", "PR1", {
            "resourceType": "Procedure", "status": "completed", "subject": subject,
            "code": {"text": "冠状动脉造影术"}, "performedDateTime": "2026-11-12T14:00:00+08:00",
        }),
        resource_entry(hospital, "document", "DOC1", {
            "resourceType": "DocumentReference", "status": "current", "subject": subject,
            "type": {"text": "出院小结"}, "date": "2026-11-13T16:00:00+08:00",
            "content": [{"attachment": {"contentType": "text/plain", "title": "出院小结"}}],
        }),
    ]  # fmt: skip


@dataclass
class World:
    patient: Patient
    county: Institution
    city: Institution
    county_secret: str
    city_secret: str

    @property
    def resident_id(self) -> str:
        return self.patient.resident_id or ""


def pushed_ok(secret: str, entries: list[Json]) -> None:
    """Pushes the entries as one batch, as a gateway does; every entry must be taken."""
    answer = push(secret, bundle(entries))
    assert answer.status_code == 200, answer.content
    refused = [e for e in answer.json()["entry"] if not e["response"]["status"].startswith("20")]
    assert not refused, refused


def world_build(*, consented: bool = True) -> World:
    county_gateway, county_secret = make_gateway(
        cast(Institution, InstitutionFactory(name="中牟县人民医院", short_name="中牟县医院"))
    )
    city_gateway, city_secret = make_gateway(
        cast(Institution, InstitutionFactory(name="郑州市第一人民医院", short_name="郑州一院"))
    )
    county, city = county_gateway.institution, city_gateway.institution
    patient = make_patient(county, name="王小明")
    # The city hospital took the patient in on a referral: it knows them too.
    care_relationship_open(actor=None, patient=patient, institution_id=city.pk,
                           reason=CareReason.REFERRAL, source="referral:1")  # fmt: skip
    # The resident consented to sharing at both: each reads what the other pushed (ADR 33).
    if consented:
        sharing_consented(patient, county)
        sharing_consented(patient, city)
    w = World(patient, county, city, county_secret, city_secret)
    for hospital, secret, records in (
        (county, county_secret, county_records),
        (city, city_secret, city_records),
    ):
        person = patient_entry(hospital, f"MRN-{hospital.code}", resident_id=w.resident_id)
        subject = {"reference": person["fullUrl"]}
        pushed_ok(secret, [person, *records(hospital, subject)])
    return w


def doctor_at(institution: Institution, *roles: str) -> tuple[Membership, Client]:
    membership = cast(
        Membership, MembershipFactory(institution=institution, roles=list(roles) or ["requester"])
    )
    client = Client()
    client.force_login(membership.user)
    return membership, client
