"""An independent FHIR client, fhirpy's synchronous one, against the live server: it reads
the CapabilityStatement, searches with prefixes and sorts, follows the next links, counts,
brings the patients along with `_include`, and pages through `Patient/$everything`. What a
reader may not see stays out of reach however the client asks."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import OperationOutcome, ResourceNotFound

from xietong.core.models import AuditEvent
from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory
from xietong.exchange.tests.records import bearer_for, record_pushed

pytestmark = pytest.mark.django_db(transaction=True)


def _number(resource: Any) -> str:
    return str(resource["identifier"][0]["value"])


def _client(base: str, institution: Institution) -> SyncFHIRClient:
    return SyncFHIRClient(base, authorization=bearer_for(institution))


def test_search_sort_paging_and_count(fhir_base: str) -> None:
    record = record_pushed(extra_results=9)
    client = _client(fhir_base, record.county)
    results = client.resources("Observation").search(patient=record.county_patient_id)

    # Four a page, oldest first: fhirpy follows the next links to the end.
    everything = results.sort("date").limit(4).fetch_all()
    assert len(everything) == 11
    assert _number(everything[0]) == "R1" and _number(everything[-1]) == "R2"
    assert len({r["id"] for r in everything}) == 11
    assert results.count() == 11
    newest = results.sort("-date").first()
    assert newest is not None and _number(newest) == "R2"

    # Dates and arrival times with prefixes, as the client writes them.
    november = results.search(date__ge=dt.date(2026, 11, 1)).fetch()
    assert [_number(r) for r in november] == ["R2"]
    city = client.resources("Observation").search(
        category="laboratory", _lastUpdated__gt=dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
    )
    assert [_number(r) for r in city.fetch()] == ["R3"]


def test_include_brings_the_patients_only_as_included(fhir_base: str) -> None:
    record = record_pushed()
    client = _client(fhir_base, record.city)
    search = (
        client.resources("Observation")
        .search(code="http://loinc.org|2345-7")
        .include("Observation", "patient")
    )

    assert [_number(r) for r in search.fetch()] == ["R3", "R1"]  # fhirpy keeps the matches
    bundle = search.fetch_raw()
    assert bundle["total"] == 2
    included = [e for e in bundle["entry"] if e["search"]["mode"] == "include"]
    assert sorted(_number(e["resource"]) for e in included) == ["A001", "B001"]
    assert {e["resource"]["resourceType"] for e in included} == {"Patient"}

    with pytest.raises(OperationOutcome):  # an include not served is refused, not ignored
        client.resources("Observation").search(status="final").include(
            "Observation", "performer"
        ).fetch()


def test_everything_paged_through_by_the_client(fhir_base: str) -> None:
    record = record_pushed(extra_results=3)
    client = _client(fhir_base, record.city)
    patient = client.reference("Patient", record.county_patient_id)

    page = patient.execute("$everything", method="get", params={"_count": 4})
    seen: list[str] = []
    pages = 0
    while True:
        pages += 1
        assert page["total"] == 9
        seen += [_number(e["resource"]) for e in page["entry"]]
        following = [link["url"] for link in page["link"] if link["relation"] == "next"]
        if not following:
            break
        page = client.execute(following[0], method="get")
    assert pages == 3
    assert sorted(seen[:2]) == ["A001", "B001"] and seen[-1] == "AL1"
    assert len(set(seen)) == 9
    reads = AuditEvent.objects.filter(action="fhir_resource.read", outcome=0)
    assert reads.count() == 3 and {e.patient_id for e in reads} == {record.patient.pk}


def test_a_stranger_finds_nothing_and_is_refused_everything(fhir_base: str) -> None:
    record = record_pushed()
    stranger = _client(fhir_base, cast(Institution, InstitutionFactory()))

    assert stranger.resources("Observation").search(category="laboratory").fetch() == []
    assert stranger.resources("Observation").search(category="laboratory").count() == 0
    with pytest.raises(ResourceNotFound):
        stranger.reference("Patient", record.county_patient_id).execute("$everything", method="get")
    refused = AuditEvent.objects.get(action="fhir_resource.read", outcome=4)
    assert refused.patient_id == record.patient.pk


def test_the_capability_statement_as_the_client_reads_it(fhir_base: str) -> None:
    from fhir.resources.R4B.capabilitystatement import CapabilityStatement

    statement = SyncFHIRClient(fhir_base).execute("metadata", method="get")
    CapabilityStatement.model_validate(dict(statement))
    patient = next(r for r in statement["rest"][0]["resource"] if r["type"] == "Patient")
    assert [o["name"] for o in patient["operation"]] == ["everything"]
