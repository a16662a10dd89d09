"""Searching pushed resources: `_lastUpdated` and `date` with each prefix, `_sort`, `_include`
of the Patient, honest totals, and a page's queries bounded whatever its size."""

from __future__ import annotations

from typing import cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xietong.core.models import AuditEvent
from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory

from .records import doctor_at, numbers, record_pushed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "found"),
    [
        # Both hospitals' results of the resident: R1 on 1 Oct, R2 on 20 Nov, R3 on 25 Nov.
        ("2026-11-20", ["R2"]),
        ("eq2026-11", ["R3", "R2"]),
        ("2026", ["R3", "R2", "R1"]),
        ("ne2026-11-20", ["R3", "R1"]),
        ("gt2026-11-20", ["R3"]),
        ("sa2026-11-20", ["R3"]),
        ("ge2026-11-20", ["R3", "R2"]),
        ("lt2026-11-20", ["R1"]),
        ("eb2026-11-20", ["R1"]),
        ("le2026-11-20", ["R2", "R1"]),
        ("ge2026-11-25T15:30:00+08:00", ["R3"]),
        ("lt2026-11-25T07:30:00Z", ["R2", "R1"]),
        ("not-a-date", []),
    ],
)
def test_date_with_each_prefix(value: str, found: list[str]) -> None:
    record = record_pushed()
    # The city cares for the resident only: the county's other resident's R9 is not its.
    answer = doctor_at(record.city).get(
        "/fhir/R4/Observation", {"category": "laboratory", "date": value}
    )
    assert answer.status_code == 200
    assert numbers(answer.json()) == found


@pytest.mark.parametrize(
    ("value", "found"),
    [
        # The county's results arrived on 21 Nov (02:00 UTC), the city's on 26 Nov.
        ("2026-11-26", ["R3"]),
        ("eq2026-11", ["R3", "R2", "R1"]),
        ("ne2026-11-26", ["R2", "R1"]),
        ("gt2026-11-21", ["R3"]),
        ("sa2026-11-21", ["R3"]),
        ("ge2026-11-21", ["R3", "R2", "R1"]),
        ("lt2026-11-26", ["R2", "R1"]),
        ("eb2026-11-26", ["R2", "R1"]),
        ("le2026-11-21", ["R2", "R1"]),
        ("ge2026-11-26T02:00:00Z", ["R3"]),
        ("lt2026-11-26T10:00:00+08:00", ["R2", "R1"]),
        ("2025", []),
    ],
)
def test_last_updated_with_each_prefix(value: str, found: list[str]) -> None:
    record = record_pushed()
    answer = doctor_at(record.city).get(
        "/fhir/R4/Observation", {"status": "final", "_lastUpdated": value}
    )
    assert answer.status_code == 200
    assert numbers(answer.json()) == found


@pytest.mark.parametrize(
    ("sort", "found"),
    [
        ("date", ["R1", "R2", "R3"]),
        ("-date", ["R3", "R2", "R1"]),
        # The county's two arrived together: the order they were stored in breaks the tie.
        ("_lastUpdated", ["R1", "R2", "R3"]),
        ("-_lastUpdated", ["R3", "R2", "R1"]),
        ("-_lastUpdated,date", ["R3", "R1", "R2"]),
    ],
)
def test_sort_by_date_and_last_updated(sort: str, found: list[str]) -> None:
    record = record_pushed()
    answer = doctor_at(record.city).get(
        "/fhir/R4/Observation", {"category": "laboratory", "_sort": sort}
    )
    assert numbers(answer.json()) == found


def test_undated_resources_sort_last_both_ways() -> None:
    record = record_pushed()
    doctor = doctor_at(record.city)
    for sort in ("date", "-date"):
        answer = doctor.get("/fhir/R4/AllergyIntolerance", {"patient": record.city_patient_id,
                                                            "_sort": sort})  # fmt: skip
        assert numbers(answer.json()) == ["AL1"]


def test_an_unknown_sort_or_include_is_refused_in_chinese() -> None:
    record = record_pushed()
    doctor = doctor_at(record.county)
    for params in ({"status": "final", "_sort": "value"},
                   {"status": "final", "_include": "Observation:performer"},
                   {"identifier": "A001", "_include": "Observation:patient"}):  # fmt: skip
        answer = doctor.get("/fhir/R4/Observation" if "status" in params else "/fhir/R4/Patient",
                            params)  # fmt: skip
        assert answer.status_code == 400
        issue = answer.json()["issue"][0]
        assert issue["code"] == "not-supported"
        assert "不" in issue["diagnostics"] or "未" in issue["diagnostics"]


@pytest.mark.parametrize("include", ["Observation:patient", "Observation:subject:Patient"])
def test_include_brings_each_patient_once_as_include(include: str) -> None:
    record = record_pushed()
    answer = (
        doctor_at(record.county)
        .get("/fhir/R4/Observation", {"code": "2345-7", "_include": include})
        .json()
    )

    # The resident's results from both hospitals, and the other resident's R9.
    assert numbers(answer) == ["R3", "R9", "R1"]
    assert answer["total"] == 3  # included entries are not matches
    assert sorted(numbers(answer, "include")) == ["A001", "A002", "B001"]
    included = [e for e in answer["entry"] if e["search"]["mode"] == "include"]
    assert all(e["fullUrl"].endswith(f"/Patient/{e['resource']['id']}") for e in included)


def test_include_shows_only_patients_the_reader_may_see() -> None:
    record = record_pushed()
    # The city cares for the resident, not for the county's other resident.
    answer = (
        doctor_at(record.city)
        .get("/fhir/R4/Observation", {"code": "2345-7", "_include": "Observation:patient"})
        .json()
    )
    assert numbers(answer) == ["R3", "R1"]
    assert sorted(numbers(answer, "include")) == ["A001", "B001"]
    stranger = doctor_at(cast(Institution, InstitutionFactory()))
    answer = stranger.get(
        "/fhir/R4/Observation", {"code": "2345-7", "_include": "Observation:patient"}
    ).json()
    assert answer["total"] == 0 and answer["entry"] == []


def test_allergies_include_their_patient() -> None:
    record = record_pushed()
    answer = (
        doctor_at(record.city)
        .get(
            "/fhir/R4/AllergyIntolerance",
            {"patient": record.city_patient_id, "_include": "AllergyIntolerance:patient"},
        )
        .json()
    )
    assert numbers(answer) == ["AL1"] and numbers(answer, "include") == ["B001"]


def test_total_counts_every_match_on_every_page() -> None:
    record = record_pushed(extra_results=12)
    doctor = doctor_at(record.county)
    params = {"patient": record.county_patient_id, "_count": "5"}

    first = doctor.get("/fhir/R4/Observation", params).json()
    assert first["total"] == 14 and len(first["entry"]) == 5
    last = doctor.get("/fhir/R4/Observation", {**params, "_offset": "10"}).json()
    assert last["total"] == 14 and len(last["entry"]) == 4
    assert not [link for link in last["link"] if link["relation"] == "next"]
    beyond = doctor.get("/fhir/R4/Observation", {**params, "_offset": "40"}).json()
    assert beyond["total"] == 14 and beyond["entry"] == []

    # _count=0: the total alone, and no page to follow.
    only = doctor.get("/fhir/R4/Observation", {**params, "_count": "0"}).json()
    assert only["total"] == 14 and only["entry"] == []
    assert [link["relation"] for link in only["link"]] == ["self"]

    # _total=none: not counted while more follow; the last page still tells.
    uncounted = doctor.get("/fhir/R4/Observation", {**params, "_total": "none"}).json()
    assert "total" not in uncounted and len(uncounted["entry"]) == 5
    tail = doctor.get("/fhir/R4/Observation", {**params, "_total": "none", "_offset": "10"})
    assert tail.json()["total"] == 14


def test_pages_follow_each_other_without_overlap() -> None:
    record = record_pushed(extra_results=12)
    doctor = doctor_at(record.county)
    seen: list[str] = []
    url = f"/fhir/R4/Observation?patient={record.county_patient_id}&_count=4&_sort=date"
    while url:
        page = doctor.get(url).json()
        seen += numbers(page)
        url = next((link["url"] for link in page["link"] if link["relation"] == "next"), "")
    assert len(seen) == len(set(seen)) == 14
    assert seen[0] == "R1" and seen[-1] == "R2"
    assert AuditEvent.objects.filter(action="fhir_resource.search").count() == 4


def test_a_page_costs_the_same_queries_whatever_its_size() -> None:
    record = record_pushed(extra_results=40)
    doctor = doctor_at(record.county)
    # The token's first use is written down once; the pages below are compared without it.
    doctor.get("/fhir/R4/Observation", {"patient": record.county_patient_id})
    costs = {}
    for count in ("2", "42"):
        params = {"patient": record.county_patient_id, "_count": count,
                  "_include": "Observation:patient", "_sort": "-_lastUpdated"}  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            answer = doctor.get("/fhir/R4/Observation", params)
        assert answer.status_code == 200
        assert len(answer.json()["entry"]) == int(count) + 1  # the page and its patient
        costs[count] = len(queries)
    assert costs["2"] == costs["42"] + 1  # the small page counts the matches: 42 is all of them
    # Authentication, the page, the count, the patients included, the audit event (3).
    assert costs["2"] <= 7, costs


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_searches_are_planned_for_their_values_not_kept_as_generic_plans() -> None:
    record = record_pushed()
    doctor = doctor_at(record.county)
    params = {"patient": record.county_patient_id, "code": "http://loinc.org|2345-7"}
    for _ in range(6):  # more than the threshold after which a statement's plan is kept
        assert numbers(doctor.get("/fhir/R4/Observation", params).json()) == ["R1"]
    with connection.cursor() as cursor:
        cursor.execute(
            # The searches' statements: their sort keeps undated resources last.
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%exchange_fhirtoken%NULLS LAST%"],
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] > 0  # the other statements (the token's lookup) still are
