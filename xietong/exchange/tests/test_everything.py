"""`GET /fhir/R4/Patient/<id>/$everything`: the resident's record from every hospital that
the reader may see, paged, one audited read naming the patient per page."""

from __future__ import annotations

import uuid
from typing import cast

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from xietong.core.models import AuditEvent
from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory

from ..everything import patient_everything
from ..models import FhirResource
from .records import doctor_at, numbers, record_pushed

pytestmark = pytest.mark.django_db


def test_everything_gathers_both_hospitals_record_patients_first() -> None:
    record = record_pushed()
    doctor = doctor_at(record.county)

    answer = doctor.get(f"/fhir/R4/Patient/{record.county_patient_id}/$everything")

    assert answer.status_code == 200
    found = answer.json()
    assert found["resourceType"] == "Bundle" and found["type"] == "searchset"
    assert found["total"] == 6
    kinds = [e["resource"]["resourceType"] for e in found["entry"]]
    assert kinds[:2] == ["Patient", "Patient"]
    # Each hospital's Patient resource, then the newest first, the undated allergy last;
    # nothing of the county's other resident.
    assert sorted(numbers(found)[:2]) == ["A001", "B001"]
    assert numbers(found)[2:] == ["R3", "R2", "R1", "AL1"]
    assert {e["search"]["mode"] for e in found["entry"]} == {"match"}
    # Asked through the city's Patient resource, the same record.
    other_way = doctor.get(f"/fhir/R4/Patient/{record.city_patient_id}/$everything").json()
    assert sorted(numbers(other_way)) == sorted(numbers(found))


def test_each_page_is_one_read_naming_the_patient() -> None:
    record = record_pushed(extra_results=5)
    doctor = doctor_at(record.city)
    url = f"/fhir/R4/Patient/{record.city_patient_id}/$everything?_count=4"
    seen: list[str] = []
    while url:
        page = doctor.get(url).json()
        assert page["total"] == 11
        seen += numbers(page)
        url = next((link["url"] for link in page["link"] if link["relation"] == "next"), "")
    assert len(seen) == len(set(seen)) == 11

    reads = AuditEvent.objects.filter(action="fhir_resource.read", outcome=0)
    assert reads.count() == 3
    assert {e.patient_id for e in reads} == {record.patient.pk}
    assert {e.resource_id for e in reads} == {f"Patient/{record.city_patient_id}/$everything"}
    assert [e.detail["offset"] for e in reads.order_by("seq")] == [0, 4, 8]
    # No search events beside them: the operation is the read.
    assert not AuditEvent.objects.filter(action="fhir_resource.search").exists()


def test_since_and_type_narrow_the_record() -> None:
    record = record_pushed()
    doctor = doctor_at(record.county)
    base = f"/fhir/R4/Patient/{record.county_patient_id}/$everything"

    since = doctor.get(base, {"_since": "2026-11-26T00:00:00Z"}).json()
    assert numbers(since) == ["B001", "R3", "AL1"]
    refused = doctor.get(base, {"_since": "yesterday"})
    assert refused.status_code == 400 and "_since" in refused.json()["issue"][0]["diagnostics"]
    typed = doctor.get(base, {"_type": "Observation,AllergyIntolerance"}).json()
    assert numbers(typed) == ["R3", "R2", "R1", "AL1"]


def test_a_reader_who_may_not_see_the_patient_gets_404_and_the_refusal_is_recorded() -> None:
    record = record_pushed()
    stranger = doctor_at(cast(Institution, InstitutionFactory()))

    answer = stranger.get(f"/fhir/R4/Patient/{record.county_patient_id}/$everything")

    assert answer.status_code == 404
    assert answer.json()["issue"][0]["code"] == "not-found"
    refused = AuditEvent.objects.get(action="fhir_resource.read", outcome=4)
    assert refused.patient_id == record.patient.pk
    assert refused.resource_id == f"Patient/{record.county_patient_id}"
    assert not AuditEvent.objects.filter(action="fhir_resource.read", outcome=0).exists()


def test_the_city_does_not_see_the_county_residents_it_does_not_care_for() -> None:
    record = record_pushed()
    answer = doctor_at(record.city).get(f"/fhir/R4/Patient/{record.other_patient_id}/$everything")
    assert answer.status_code == 404


def test_missing_malformed_and_unlinked_patients_are_404_alike() -> None:
    record = record_pushed()
    doctor = doctor_at(record.county)
    observation = FhirResource.objects.filter(resource_type="Observation").first()
    assert observation is not None
    unlinked = FhirResource.objects.get(logical_id=record.county_patient_id)
    unlinked.patient = None
    unlinked.save(update_fields=["patient"])
    for resource_id in (str(uuid.uuid4()), "not-a-uuid", str(observation.logical_id),
                        record.county_patient_id):  # fmt: skip
        answer = doctor.get(f"/fhir/R4/Patient/{resource_id}/$everything")
        assert answer.status_code == 404, resource_id
        assert answer.json()["issue"][0]["code"] == "not-found"
    # An operation nobody serves, on a type or by name, says so.
    assert doctor.get(f"/fhir/R4/Observation/{observation.logical_id}/$everything").json()[
        "issue"][0]["code"] == "not-supported"  # fmt: skip
    assert doctor.get(f"/fhir/R4/Patient/{record.city_patient_id}/$expunge").status_code == 404
    assert Client().get(f"/fhir/R4/Patient/{record.city_patient_id}/$everything").status_code == 401


def test_resources_stored_before_their_patient_was_linked_are_in_the_record() -> None:
    record = record_pushed()
    # As if the city's resources had arrived before the resident was matched.
    FhirResource.objects.filter(source_institution=record.city).exclude(
        resource_type="Patient"
    ).update(patient=None)
    answer = doctor_at(record.county).get(
        f"/fhir/R4/Patient/{record.county_patient_id}/$everything"
    )
    assert "R3" in numbers(answer.json()) and "AL1" in numbers(answer.json())


def test_a_page_of_everything_costs_the_same_queries_whatever_its_size() -> None:
    record = record_pushed(extra_results=30)
    doctor = doctor_at(record.county)
    base = f"/fhir/R4/Patient/{record.county_patient_id}/$everything"
    doctor.get(base)  # the token's first use is written down once
    costs = {}
    for count in (3, 36):
        with CaptureQueriesContext(connection) as queries:
            answer = doctor.get(base, {"_count": str(count)})
        assert len(answer.json()["entry"]) == count
        costs[count] = len(queries)
    # Authentication, the patient and whether it is seen, their Patient resources, the page,
    # the count (the small page only), the audit event (3).
    assert costs[3] == costs[36] + 1 <= 8, costs


def test_the_selector_answers_other_pages_too() -> None:
    record = record_pushed()
    from xietong.accounts.tests.factories import make_actor

    doctor = make_actor("requester", institution=record.city)
    page = patient_everything(actor=doctor, resource_id=record.city_patient_id, count=2)
    assert page is not None and page.total == 6 and len(page.matches) == 2 and page.more
    stranger = make_actor("requester")
    assert patient_everything(actor=stranger, resource_id=record.city_patient_id) is None
