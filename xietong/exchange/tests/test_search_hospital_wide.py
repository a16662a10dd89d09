"""Searches that name no patient: one code across every patient a hospital sees walks the
code's token rows newest first (ADR 26), with the same matches, order, total and pages as
any other search."""

from __future__ import annotations

from typing import cast

import pytest

from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory
from xietong.exchange.push.columns import resource_tokens
from xietong.patients.tests.factories import make_patient

from .factories import bundle, make_gateway, observation_entry, patient_entry, push
from .records import doctor_at, numbers, record_pushed

pytestmark = pytest.mark.django_db

GLUCOSE = "http://loinc.org|2345-7"


@pytest.mark.parametrize(
    ("params", "found"),
    [
        # The county sees both its residents: R9 is the other one's; R3 came from the city.
        ({}, ["R3", "R9", "R1"]),
        ({"_sort": "date"}, ["R1", "R9", "R3"]),
        ({"date": "ge2026-11-01"}, ["R3", "R9"]),
        ({"date": "lt2026-11-20T10:00:00+08:00", "_sort": "-date"}, ["R1"]),
        ({"status": "final", "category": "laboratory"}, ["R3", "R9", "R1"]),
        ({"_sort": "-_lastUpdated"}, ["R3", "R9", "R1"]),
    ],
)
def test_one_code_across_the_hospital(params: dict[str, str], found: list[str]) -> None:
    record = record_pushed()
    doctor = doctor_at(record.county)
    answer = doctor.get("/fhir/R4/Observation", {"code": GLUCOSE, **params}).json()
    assert numbers(answer) == found and answer["total"] == len(found)
    without_system = doctor.get("/fhir/R4/Observation", {"code": "2345-7", **params}).json()
    assert numbers(without_system) == found


def test_only_the_patients_the_reader_sees() -> None:
    record = record_pushed()
    city = doctor_at(record.city).get("/fhir/R4/Observation", {"code": GLUCOSE}).json()
    assert numbers(city) == ["R3", "R1"]  # the city does not care for the county's other resident
    stranger = doctor_at(cast(Institution, InstitutionFactory()))
    assert stranger.get("/fhir/R4/Observation", {"code": GLUCOSE}).json()["total"] == 0


def test_pages_and_total_across_the_hospital() -> None:
    record = record_pushed(extra_results=9)
    doctor = doctor_at(record.county)
    seen: list[str] = []
    totals = set()
    url = f"/fhir/R4/Observation?code={GLUCOSE}&_count=4&_include=Observation:patient"
    while url:
        page = doctor.get(url).json()
        seen += numbers(page)
        totals.add(page["total"])
        assert set(numbers(page, "include")) <= {"A001", "A002", "B001"}
        url = next((link["url"] for link in page["link"] if link["relation"] == "next"), "")
    assert len(seen) == len(set(seen)) == 12 and totals == {12}
    assert seen[:2] == ["R3", "R9"] and seen[-1] == "R1"


def test_a_code_sent_twice_in_one_resource_is_one_token() -> None:
    glucose = {"system": "http://loinc.org", "code": "2345-7"}
    sent = {"resourceType": "Observation", "code": {"coding": [glucose, glucose]},
            "category": [{"coding": [glucose]}, {"coding": [glucose]}]}  # fmt: skip
    assert resource_tokens("Observation", sent) == [
        ("code", "http://loinc.org", "2345-7"),
        ("category", "http://loinc.org", "2345-7"),
    ]


def test_a_code_known_in_two_systems_lists_each_resource_once() -> None:
    gateway, secret = make_gateway()
    hospital = gateway.institution
    resident = make_patient(hospital)
    mine = patient_entry(hospital, "P1", resident_id=resident.resident_id or "")
    twice = observation_entry(hospital, "T1", {"reference": mine["fullUrl"]})
    # The hospital's own code for glucose happens to be spelled as LOINC's.
    twice["resource"]["code"]["coding"][1]["code"] = "2345-7"
    once = observation_entry(hospital, "T2", {"reference": mine["fullUrl"]},
                             effective="2026-11-21T08:30:00+08:00")  # fmt: skip
    assert push(secret, bundle([mine, twice, once])).status_code == 200
    doctor = doctor_at(hospital)
    answer = doctor.get("/fhir/R4/Observation", {"code": "2345-7"}).json()
    assert numbers(answer) == ["T2", "T1"] and answer["total"] == 2
    own = f"urn:xietong:code:{hospital.code}:lab|2345-7"
    assert numbers(doctor.get("/fhir/R4/Observation", {"code": own}).json()) == ["T1"]
