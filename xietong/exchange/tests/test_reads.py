"""Reading what hospitals pushed through /fhir/R4/, as the access model allows."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.test import Client

from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import MembershipFactory
from xietong.accounts.tokens import api_token_issue
from xietong.core.models import AuditEvent
from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory
from xietong.patients.tests.factories import make_patient

from ..models import FhirResource
from .factories import bundle, make_gateway, observation_entry, patient_entry, push

pytestmark = pytest.mark.django_db


def _doctor_at(institution: Institution) -> Client:
    membership = cast(Membership, MembershipFactory(institution=institution, roles=["requester"]))
    _token, key = api_token_issue(membership=membership)
    return Client(headers={"authorization": f"Bearer {key}"})


def _pushed() -> tuple[Institution, Any]:
    gateway, secret = make_gateway()
    hospital = gateway.institution
    ours = make_patient(hospital)
    patient = patient_entry(hospital, "MRN001", resident_id=ours.resident_id or "")
    subject = {"reference": patient["fullUrl"]}
    early = observation_entry(hospital, "R1", subject, effective="2026-10-01T09:00:00+08:00")
    late = observation_entry(hospital, "R2", subject, effective="2026-11-20T09:00:00+08:00")
    late["resource"]["code"]["coding"][0]["code"] = "718-7"
    assert push(secret, bundle([patient, early, late])).status_code == 200
    return hospital, ours


def test_a_doctor_of_the_caring_hospital_reads_a_result_and_the_read_is_audited() -> None:
    hospital, ours = _pushed()
    stored = FhirResource.objects.filter(resource_type="Observation").first()
    assert stored is not None

    answer = _doctor_at(hospital).get(f"/fhir/R4/Observation/{stored.logical_id}")

    assert answer.status_code == 200
    assert answer.json()["valueQuantity"]["value"] == 5.6
    assert answer.json()["meta"]["versionId"] == "1"
    event = AuditEvent.objects.get(action="fhir_resource.read", outcome=0)
    assert event.patient_id == ours.pk


def test_another_hospitals_doctor_gets_404_and_the_refusal_is_audited() -> None:
    _pushed()
    stored = FhirResource.objects.filter(resource_type="Observation").first()
    assert stored is not None
    stranger = _doctor_at(cast(Institution, InstitutionFactory()))

    answer = stranger.get(f"/fhir/R4/Observation/{stored.logical_id}")

    assert answer.status_code == 404
    assert AuditEvent.objects.filter(action="fhir_resource.read", outcome=4).count() == 1
    found = stranger.get("/fhir/R4/Observation", {"code": "2345-7"}).json()
    assert found["total"] == 0


@pytest.mark.parametrize(
    ("params", "results"),
    [
        ({"code": "http://loinc.org|2345-7"}, ["R1"]),
        ({"code": "718-7"}, ["R2"]),
        ({"date": "ge2026-11-01"}, ["R2"]),
        ({"date": "lt2026-11"}, ["R1"]),
        ({"date": "2026-10-01"}, ["R1"]),
        ({"status": "final"}, ["R2", "R1"]),
        ({"status": "preliminary"}, []),
        ({"category": "laboratory", "_count": "1"}, ["R2"]),
    ],
)
def test_searches_by_code_date_status_and_category(
    params: dict[str, str], results: list[str]
) -> None:
    hospital, _ours = _pushed()
    patient = FhirResource.objects.get(resource_type="Patient")

    answer = _doctor_at(hospital).get(
        "/fhir/R4/Observation", {"patient": str(patient.logical_id), **params}
    )

    assert answer.status_code == 200
    found = [e["resource"]["identifier"][0]["value"] for e in answer.json()["entry"]]
    assert found == results
    assert AuditEvent.objects.filter(action="fhir_resource.search").count() == 1


def test_a_patient_is_found_by_identifier() -> None:
    hospital, _ours = _pushed()
    answer = _doctor_at(hospital).get(
        "/fhir/R4/Patient", {"identifier": f"urn:xietong:mrn:{hospital.code}|MRN001"}
    )
    assert [e["resource"]["identifier"][0]["value"] for e in answer.json()["entry"]] == ["MRN001"]


def test_a_search_pages_with_count_and_a_next_link() -> None:
    hospital, _ours = _pushed()
    doctor = _doctor_at(hospital)

    page = doctor.get("/fhir/R4/Observation", {"status": "final", "_count": "1"}).json()

    assert page["total"] == 2  # every match, not the page's
    assert [e["resource"]["identifier"][0]["value"] for e in page["entry"]] == ["R2"]
    following = next(link["url"] for link in page["link"] if link["relation"] == "next")
    second = doctor.get(following).json()
    assert second["total"] == 2
    assert [e["resource"]["identifier"][0]["value"] for e in second["entry"]] == ["R1"]
    assert not [link for link in second["link"] if link["relation"] == "next"]


def test_the_capability_statement_tells_what_is_served_and_is_valid_r4() -> None:
    from fhir.resources.R4B.capabilitystatement import CapabilityStatement

    answer = Client().get("/fhir/R4/metadata")

    assert answer.status_code == 200
    statement = answer.json()
    CapabilityStatement.model_validate(statement)
    rest = statement["rest"][0]
    assert {i["code"] for i in rest["interaction"]} == {"batch", "transaction"}
    served = {r["type"]: r for r in rest["resource"]}
    observation = served["Observation"]
    assert {i["code"] for i in observation["interaction"]} == {"read", "search-type"}
    assert {p["name"] for p in observation["searchParam"]} == {
        "patient", "subject", "identifier", "date", "code", "category", "status", "_lastUpdated",
    }  # fmt: skip
    assert {p["name"] for p in served["Task"]["searchParam"]} == {"focus"}
    assert [i["code"] for i in served["Appointment"]["interaction"]] == ["read"]
    assert "Basic" not in served
