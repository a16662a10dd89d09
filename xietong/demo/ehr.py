"""The demo's health records (居民健康档案): county A's hospital gets a gateway on the demo's
first morning, and its HIS pushes through it, as the week goes, what it records for two of
the county doctor's patients (those whose CT and DX its PACS sends, imaging.py): an
admission, diagnoses, three fasting glucose results (a trend, one of them high), an HbA1c,
a prescription, an allergy, and at the end of the week the discharge. The Bundles go
through the platform's own entrance for gateways (exchange/push), so they are validated,
linked to the patients by their resident ID and kept with their provenance like any
hospital's."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from xietong.consultations.demo import DemoCast
from xietong.consultations.demo_stories import consultation_parties
from xietong.core.actor import Actor
from xietong.directory.models import Institution
from xietong.exchange.gateways import gateway_register
from xietong.exchange.models import Gateway
from xietong.exchange.push.apply import bundle_push
from xietong.patients.models import Patient

from .clock import Story
from .gateway import DEMO_GATEWAY_NAME

Json = dict[str, Any]
LAB = "http://terminology.hl7.org/CodeSystem/observation-category"
# (LOINC, hospital code, name, unit, low, high)
GLUCOSE = ("1558-6", "GLU", "空腹血糖", "mmol/L", 3.9, 6.1)
HBA1C = ("4548-4", "HBA1C", "糖化血红蛋白", "%", 4.0, 6.0)
WITH_STUDIES = ("assigned", "triage")


class _His:
    """What one hospital's HIS sends for one patient, as the gateway maps it."""

    def __init__(self, hospital: Institution, patient: Patient) -> None:
        self.code = hospital.code
        self.patient = patient
        self.patient_url = f"urn:uuid:{uuid.uuid4()}"

    def _system(self, table: str) -> str:
        return f"urn:xietong:source:{self.code}:{table}"

    def _entry(self, table: str, number: str, resource: Json) -> Json:
        system = self._system(table)
        kind = resource["resourceType"]
        resource = {**resource, "identifier": [{"system": system, "value": number}]}
        if kind != "AllergyIntolerance":
            resource["subject"] = {"reference": self.patient_url}
        return {
            "fullUrl": f"urn:uuid:{uuid.uuid4()}",
            "resource": resource,
            "request": {"method": "PUT", "url": f"{kind}?identifier={system}|{number}"},
        }

    def person(self) -> Json:
        mrn = {"system": f"urn:xietong:mrn:{self.code}", "value": f"ZY{self.patient.pk:06d}"}
        identifiers = [mrn]
        if self.patient.resident_id:
            identifiers.append(
                {"system": "urn:xietong:resident-id", "value": self.patient.resident_id}
            )
        return {
            "fullUrl": self.patient_url,
            "resource": {"resourceType": "Patient", "identifier": identifiers,
                         "name": [{"text": self.patient.name}],
                         "gender": {"1": "male", "2": "female"}.get(self.patient.sex, "unknown"),
                         "birthDate": self.patient.birth_date.isoformat()},
            "request": {"method": "POST", "url": "Patient",
                        "ifNoneExist": f"identifier={mrn['system']}|{mrn['value']}"},
        }  # fmt: skip

    def admission(self, visit: str, start: dt.datetime, end: dt.datetime | None) -> Json:
        period = {"start": start.isoformat(), **({"end": end.isoformat()} if end else {})}
        return self._entry("visit", visit, {
            "resourceType": "Encounter", "status": "finished" if end else "in-progress",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                      "code": "IMP", "display": "inpatient encounter"},
            "serviceType": {"text": "内分泌科"}, "period": period,
            "location": [{"location": {"display": "内分泌科病区 0507 03"}}],
        })  # fmt: skip

    def diagnosis(self, number: str, icd: str, name: str, when: dt.datetime) -> Json:
        return self._entry("diagnosis", number, {
            "resourceType": "Condition", "recordedDate": when.isoformat(),
            "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": icd,
                                 "display": name}], "text": name},
        })  # fmt: skip

    def result(self, number: str, test: tuple[Any, ...], value: float, when: dt.datetime) -> Json:
        loinc, local, name, unit, low, high = test
        flag = "H" if value > high else ("L" if value < low else "N")
        return self._entry("result", number, {
            "resourceType": "Observation", "status": "final",
            "category": [{"coding": [{"system": LAB, "code": "laboratory"}]}],
            "code": {"coding": [{"system": "http://loinc.org", "code": loinc},
                                {"system": f"urn:xietong:code:{self.code}:lab", "code": local}],
                     "text": name},
            "effectiveDateTime": when.isoformat(),
            "valueQuantity": {"value": value, "unit": unit},
            "referenceRange": [{"low": {"value": low, "unit": unit},
                                "high": {"value": high, "unit": unit}, "text": f"{low}-{high}"}],
            "interpretation": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                "code": flag}]}],
        })  # fmt: skip

    def prescription(self, number: str, drug: str, dosage: str, when: dt.datetime) -> Json:
        return self._entry("prescription", number, {
            "resourceType": "MedicationRequest", "status": "active", "intent": "order",
            "medicationCodeableConcept": {"text": drug}, "authoredOn": when.isoformat(),
            "dosageInstruction": [{"text": dosage}],
        })  # fmt: skip

    def allergy(self, number: str, substance: str, reaction: str, when: dt.datetime) -> Json:
        return self._entry("allergy", number, {
            "resourceType": "AllergyIntolerance", "code": {"text": substance},
            "recordedDate": when.isoformat(), "patient": {"reference": self.patient_url},
            "reaction": [{"manifestation": [{"text": reaction}]}],
        })  # fmt: skip


def _push(gateway: Gateway, entries: list[Json]) -> None:
    bundle = {
        "resourceType": "Bundle", "type": "batch", "meta": {"source": "urn:his:demo"},
        "identifier": {"system": "urn:xietong:gateway-message", "value": str(uuid.uuid4())},
        "entry": entries,
    }  # fmt: skip
    status, answer = bundle_push(gateway=gateway, raw=json.dumps(bundle).encode())
    refused = [e for e in answer.get("entry", []) if not e["response"]["status"].startswith("20")]
    if status != 200 or refused:
        raise ValueError(f"the demo's HIS push was refused: {answer}")


def _stay(his: _His, gateway: Callable[[], Gateway], n: int, began: dt.datetime) -> Story:
    """One patient's week in the county hospital, pushed as it happens."""
    admitted = began + dt.timedelta(hours=2, minutes=20 * n)
    visit = f"V{his.patient.pk:06d}"
    yield admitted
    _push(gateway(), [his.person(), his.admission(visit, admitted, None),
                      his.diagnosis(f"D{n}1", "E11.9", "2型糖尿病", admitted),
                      his.diagnosis(f"D{n}2", "I10", "原发性高血压", admitted),
                      his.allergy(f"A{n}1", "青霉素", "皮疹", admitted)])  # fmt: skip
    for day, glucose in ((1, 9.8), (3, 7.6), (5, 6.0)):
        when = began.replace(hour=6, minute=30) + dt.timedelta(days=day)
        yield when + dt.timedelta(hours=1)
        results = [his.result(f"G{n}{day}", GLUCOSE, round(glucose - n * 0.4, 1), when)]
        if day == 1:
            results.append(his.result(f"H{n}", HBA1C, 8.1 - n * 0.3, when))
            results.append(his.prescription(f"P{n}1", "二甲双胍缓释片 0.5g",
                                             "每日两次，每次一片，随餐口服", when))  # fmt: skip
        _push(gateway(), [his.person(), *results])
    discharged = began + dt.timedelta(days=5, hours=2)
    yield discharged
    _push(gateway(), [his.person(), his.admission(visit, admitted, discharged)])


def ehr_demo_stories(
    *, cast: DemoCast, patients_of: Callable[[Actor], Sequence[Patient]], admin: Actor,
    began: dt.datetime,
) -> list[Story]:  # fmt: skip
    """The gateway's registration on the first morning, and each patient's stay after it."""
    requester = cast.requesters[0]
    hospital = Institution.objects.get(pk=requester.institution_id or 0)
    parties = consultation_parties(cast=cast, patients_of=patients_of)
    # The patients whose CT and DX county A's PACS sends (imaging.py): their records show
    # the studies among what the HIS sent.
    chosen = [p for state, who, p in parties if who is requester and state in WITH_STUDIES]
    registered: list[Gateway] = []

    def gateway() -> Gateway:
        return registered[0]

    def register() -> Story:
        yield began + dt.timedelta(hours=1)
        # The gateway `./xt demo` then runs (demo/gateway.py), which takes a new secret.
        registered.append(gateway_register(actor=admin, institution_id=hospital.pk,
                                           name=DEMO_GATEWAY_NAME)[0])  # fmt: skip

    stays = [_stay(_His(hospital, p), gateway, n, began) for n, p in enumerate(chosen[:2])]
    return [register(), *stays]
