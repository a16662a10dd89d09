"""Who reads which hospital's pushed resources (docs/adr/0033), on every read path: the
record page, FHIR search, `$everything` and the FHIR read. The resident is cared for at a
county and a city hospital, each of which pushed its own record; the grounds are added one at
a time: none, the patient's sharing consent at the reader's hospital, consent at the other
hospital only, and emergency access."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.actors import actor_for_membership
from xietong.directory.models import Institution
from xietong.patients.services.break_glass import patient_break_glass

from ..models import FhirResource
from .ehr_world import World, doctor_at, world_build
from .factories import sharing_consented

pytestmark = pytest.mark.django_db

COUNTY_ONLY = {"5.2", "8.4"}  # the county hospital's glucose results
CITY_ONLY = {"3.1"}  # the city hospital's


@pytest.fixture
def w() -> World:
    return world_build(consented=False)


def _page_entries(client: Client, w: World) -> list[str]:
    html = client.get(reverse("ehr:patient", args=[w.patient.uuid])).content.decode()
    found = re.findall(r'<li class="card xt-ehr-entry".*?</li>', html, flags=re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", e)) for e in found]


def _glucose_seen(client: Client, w: World) -> dict[str, set[str]]:
    """The glucose values each read path shows the client."""
    page = {v for e in _page_entries(client, w) for v in ("5.2", "8.4", "3.1") if f" {v} " in e}
    bundle = client.get(f"/fhir/R4/Observation?patient={w.patient.uuid}&_count=50").json()
    searched = {str(e["resource"]["valueQuantity"]["value"]) for e in bundle.get("entry", [])}
    county_patient = FhirResource.objects.get(
        resource_type="Patient", source_institution=w.county
    ).logical_id
    everything = client.get(f"/fhir/R4/Patient/{county_patient}/$everything?_count=100").json()
    gathered = {
        str(e["resource"]["valueQuantity"]["value"])
        for e in everything.get("entry", [])
        if e["resource"]["resourceType"] == "Observation"
    }
    return {"page": page, "search": searched, "everything": gathered}


def _city_observation_read(client: Client, w: World) -> int:
    observation = FhirResource.objects.get(resource_type="Observation", source_institution=w.city)
    return client.get(f"/fhir/R4/Observation/{observation.logical_id}").status_code


def test_without_a_ground_each_hospital_reads_only_what_it_pushed(w: World) -> None:
    _m, county_doctor = doctor_at(w.county)
    _m, city_doctor = doctor_at(w.city)

    county = _glucose_seen(county_doctor, w)
    assert county == {"page": COUNTY_ONLY, "search": COUNTY_ONLY, "everything": COUNTY_ONLY}
    assert _city_observation_read(county_doctor, w) == 404
    assert _city_observation_read(city_doctor, w) == 200
    city_page = _page_entries(city_doctor, w)
    assert any(" 3.1 " in e for e in city_page)
    assert not any(" 5.2 " in e or " 8.4 " in e for e in city_page)


def test_the_page_says_how_much_is_hidden_without_naming_the_hospital(w: World) -> None:
    _m, county_doctor = doctor_at(w.county)

    html = county_doctor.get(reverse("ehr:patient", args=[w.patient.uuid])).content.decode()

    # The city hospital pushed four resources about the patient besides its Patient.
    assert "其他机构的 4 条记录需在本机构登记患者的共享同意" in html
    assert "郑州一院" not in html and "郑州市第一人民医院" not in html


def test_consent_at_the_readers_hospital_opens_the_other_hospitals_record(w: World) -> None:
    sharing_consented(w.patient, w.county)
    _m, county_doctor = doctor_at(w.county)
    _m, city_doctor = doctor_at(w.city)

    everything = COUNTY_ONLY | CITY_ONLY
    assert _glucose_seen(county_doctor, w) == {
        "page": everything,
        "search": everything,
        "everything": everything,
    }
    assert _city_observation_read(county_doctor, w) == 200
    # Consent at the county opens nothing at the city.
    assert not any(" 5.2 " in e for e in _page_entries(city_doctor, w))


def test_consent_elsewhere_opens_nothing_here(w: World) -> None:
    sharing_consented(w.patient, w.city)
    _m, county_doctor = doctor_at(w.county)

    assert _glucose_seen(county_doctor, w)["search"] == COUNTY_ONLY
    assert _city_observation_read(county_doctor, w) == 404


def test_emergency_access_opens_the_record_for_the_clinician_who_opened_it(w: World) -> None:
    membership, county_doctor = doctor_at(w.county, "requester")
    _m, colleague = doctor_at(w.county, "requester")
    patient_break_glass(
        actor=actor_for_membership(membership), patient=w.patient,
        reason="患者昏迷急诊入院，需要查看既往检验结果",
    )  # fmt: skip

    assert _glucose_seen(county_doctor, w)["search"] == COUNTY_ONLY | CITY_ONLY
    assert _city_observation_read(county_doctor, w) == 200
    # Only the clinician who stated the reason, not the whole hospital.
    assert _glucose_seen(colleague, w)["search"] == COUNTY_ONLY


def test_a_supervisor_reads_no_clinical_content(w: World) -> None:
    supervisor_office = Institution.objects.get(pk=w.county.pk)
    _m, supervisor = doctor_at(supervisor_office, "supervisor")

    assert supervisor.get(reverse("ehr:patient", args=[w.patient.uuid])).status_code == 404
    assert _city_observation_read(supervisor, w) == 404
