"""Pushing Bundles to POST /fhir/R4 as a hospital's gateway does."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest

from xietong.core.models import AuditEvent
from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory
from xietong.patients.tests.factories import make_patient

from ..gateways import gateway_revoke
from ..models import ExchangeMessage, FhirResource, ResourceProvenance
from .factories import bundle, make_gateway, mrn, observation_entry, patient_entry, push

pytestmark = pytest.mark.django_db


def _statuses(response: Any) -> list[str]:
    return [e["response"]["status"] for e in response.json()["entry"]]


def test_a_patient_and_a_result_are_stored_with_provenance_and_linked_to_our_patient() -> None:
    gateway, secret = make_gateway()
    hospital = gateway.institution
    ours = make_patient(hospital)
    patient = patient_entry(hospital, "MRN001", resident_id=ours.resident_id or "")
    result = observation_entry(hospital, "R1", {"reference": patient["fullUrl"]})

    response = push(secret, bundle([patient, result], message_id="msg-1"))

    assert response.status_code == 200, response.content
    assert response.json()["type"] == "batch-response"
    assert _statuses(response) == ["201 Created", "201 Created"]
    stored = FhirResource.objects.get(resource_type="Observation")
    patient_row = FhirResource.objects.get(resource_type="Patient")
    assert stored.content["subject"]["reference"] == f"Patient/{patient_row.logical_id}"
    assert stored.patient_id == patient_row.patient_id == ours.pk
    assert stored.status == "final" and stored.date is not None
    provenance = ResourceProvenance.objects.get(resource=stored)
    assert (provenance.gateway_id, provenance.source_system) == (gateway.pk, "urn:his:demo")
    assert provenance.message.message_id == "msg-1"
    events = AuditEvent.objects.filter(action="fhir_resource.create")
    assert [e.patient_id for e in events] == [ours.pk, ours.pk]


def test_a_resent_message_is_answered_again_and_applied_once() -> None:
    gateway, secret = make_gateway()
    body = bundle([patient_entry(gateway.institution, "MRN001")], message_id="msg-7")

    first = push(secret, body)
    again = push(secret, body)

    assert again.status_code == 200
    assert again.json() == first.json()
    assert FhirResource.objects.count() == 1
    assert ExchangeMessage.objects.count() == 1
    assert AuditEvent.objects.filter(action="fhir_resource.create").count() == 1


def test_the_same_resources_under_a_new_message_id_change_nothing() -> None:
    gateway, secret = make_gateway()
    hospital = gateway.institution
    patient = patient_entry(hospital, "MRN001")
    result = observation_entry(hospital, "R1", {"reference": patient["fullUrl"]})
    push(secret, bundle([patient, result]))
    stored = FhirResource.objects.get(resource_type="Observation")

    response = push(secret, bundle([patient, result]))

    assert _statuses(response) == ["200 OK", "200 OK"]
    assert FhirResource.objects.count() == 2
    stored.refresh_from_db()
    assert stored.version_id == 1
    assert response.json()["entry"][1]["response"]["location"].endswith("/_history/1")


def test_a_corrected_result_is_a_new_version_of_the_same_resource() -> None:
    gateway, secret = make_gateway()
    hospital = gateway.institution
    subject = {"identifier": {"system": mrn(hospital), "value": "MRN001"}}
    push(secret, bundle([patient_entry(hospital, "MRN001")]))
    push(secret, bundle([observation_entry(hospital, "R1", subject, value=5.6)]))

    response = push(secret, bundle([observation_entry(hospital, "R1", subject, value=7.1)]))

    assert _statuses(response) == ["200 OK"]
    stored = FhirResource.objects.get(resource_type="Observation")
    assert stored.version_id == 2
    assert stored.content["valueQuantity"]["value"] == 7.1
    assert stored.content["meta"]["versionId"] == "2"
    patient = FhirResource.objects.get(resource_type="Patient")
    assert stored.subject == f"Patient/{patient.logical_id}"
    assert ResourceProvenance.objects.filter(resource=stored).count() == 2


def test_a_batch_keeps_its_good_entries_and_explains_the_refused_one() -> None:
    gateway, secret = make_gateway()
    hospital = gateway.institution
    good = patient_entry(hospital, "MRN001")
    bad = patient_entry(hospital, "MRN002", gender="mal")

    response = push(secret, bundle([good, bad]))

    assert response.status_code == 200
    assert _statuses(response) == ["201 Created", "400 Bad Request"]
    issue = response.json()["entry"][1]["response"]["outcome"]["issue"][0]
    assert issue["code"] == "code-invalid"
    assert "不能是" in issue["diagnostics"] and "cannot be" in issue["diagnostics"]
    assert '"mal"' in issue["diagnostics"]
    assert FhirResource.objects.count() == 1


def test_a_result_for_a_refused_patient_is_refused_with_it() -> None:
    gateway, secret = make_gateway()
    hospital = gateway.institution
    bad = patient_entry(hospital, "MRN002", gender="mal")
    result = observation_entry(hospital, "R1", {"reference": bad["fullUrl"]})

    response = push(secret, bundle([result, bad]))

    assert _statuses(response) == ["400 Bad Request", "400 Bad Request"]
    assert FhirResource.objects.count() == 0


def test_a_transaction_with_one_bad_entry_writes_nothing() -> None:
    gateway, secret = make_gateway()
    hospital = gateway.institution
    patient = patient_entry(hospital, "MRN001")
    result = observation_entry(hospital, "R1", {"reference": patient["fullUrl"]})
    result["resource"]["valueQuantity"]["value"] = "five"

    response = push(secret, bundle([patient, result], kind="transaction", message_id="tx-1"))

    assert response.status_code == 400
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["expression"] == ["Bundle.entry[1]"]
    assert "FHIR R4" in body["issue"][0]["diagnostics"]
    assert FhirResource.objects.count() == 0
    assert ExchangeMessage.objects.count() == 0
    assert not AuditEvent.objects.filter(action="fhir_resource.create").exists()


def test_a_transaction_refused_while_writing_rolls_back_what_it_wrote() -> None:
    gateway, secret = make_gateway()
    hospital = gateway.institution
    patient = patient_entry(hospital, "MRN001")
    unknown = {"identifier": {"system": mrn(hospital), "value": "NOBODY"}}
    result = observation_entry(hospital, "R1", unknown)

    response = push(secret, bundle([patient, result], kind="transaction"))

    assert response.status_code == 400
    assert "NOBODY" in response.json()["issue"][0]["diagnostics"]
    assert FhirResource.objects.count() == 0


def test_a_good_transaction_answers_a_transaction_response() -> None:
    gateway, secret = make_gateway()
    hospital = gateway.institution
    patient = patient_entry(hospital, "MRN001")
    result = observation_entry(hospital, "R1", {"reference": patient["fullUrl"]})

    response = push(secret, bundle([patient, result], kind="transaction"))

    assert response.json()["type"] == "transaction-response"
    assert _statuses(response) == ["201 Created", "201 Created"]


def test_another_institutions_identifiers_are_refused() -> None:
    gateway, secret = make_gateway()
    other = cast(Institution, InstitutionFactory())
    theirs = patient_entry(other, "MRN009")
    theirs["request"]["ifNoneExist"] = f"identifier={mrn(other)}|MRN009"
    their_code = observation_entry(gateway.institution, "R1", {"reference": theirs["fullUrl"]})
    their_code["resource"]["code"]["coding"][1]["system"] = f"urn:xietong:code:{other.code}:lab"

    response = push(secret, bundle([theirs, their_code]))

    assert _statuses(response) == ["403 Forbidden", "403 Forbidden"]
    issue = response.json()["entry"][0]["response"]["outcome"]["issue"][0]
    assert issue["code"] == "security" and other.code in issue["diagnostics"]
    assert FhirResource.objects.count() == 0


def test_a_revoked_gateway_is_refused_at_once() -> None:
    gateway, secret = make_gateway()
    assert push(secret, bundle([patient_entry(gateway.institution, "M1")])).status_code == 200
    from xietong.accounts.tests.factories import make_actor

    gateway_revoke(actor=make_actor("platform_admin"), gateway_uuid=gateway.uuid)

    response = push(secret, bundle([patient_entry(gateway.institution, "M2")]))
    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"
    assert FhirResource.objects.count() == 1


@pytest.mark.parametrize("header", ["", "Bearer xg_wrong", "Basic abc"])
def test_a_bad_credential_is_401(header: str) -> None:
    from django.test import Client

    response = Client().post(
        "/fhir/R4", json.dumps(bundle([])), content_type="application/fhir+json",
        headers={"authorization": header} if header else {},
    )  # fmt: skip
    assert response.status_code == 401


def test_an_oversized_body_is_413_with_the_limit() -> None:
    gateway, secret = make_gateway()
    entry = patient_entry(gateway.institution, "M1")
    entry["resource"]["text"] = {"status": "generated", "div": "<div>" + "x" * 5_300_000 + "</div>"}

    response = push(secret, bundle([entry]))

    assert response.status_code == 413
    assert "5242880" in response.json()["issue"][0]["diagnostics"]
    assert FhirResource.objects.count() == 0


def test_more_than_500_entries_is_413() -> None:
    gateway, secret = make_gateway()
    entries = [patient_entry(gateway.institution, f"M{i}") for i in range(501)]

    response = push(secret, bundle(entries))

    assert response.status_code == 413
    assert "500" in response.json()["issue"][0]["diagnostics"]
    assert FhirResource.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [b"not json", json.dumps({"resourceType": "Patient"}), json.dumps({"resourceType": "Bundle",
     "type": "batch", "entry": []})],
)  # fmt: skip
def test_what_is_not_a_bundle_of_ours_is_400(body: bytes | str) -> None:
    _gateway, secret = make_gateway()
    response = push(secret, body)
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"


def test_a_push_of_20_entries_costs_a_bounded_number_of_queries(
    django_assert_max_num_queries: Any,
) -> None:
    gateway, secret = make_gateway()
    hospital = gateway.institution
    patient = patient_entry(hospital, "MRN001")
    results = [
        observation_entry(hospital, f"R{i}", {"reference": patient["fullUrl"]}) for i in range(19)
    ]
    push(secret, bundle([patient_entry(hospital, "WARM")]))  # the gateway query compiled

    # Per entry: its conditional lookup, a savepoint, the row, its tokens, its provenance.
    with django_assert_max_num_queries(132):
        response = push(secret, bundle([patient, *results]))
    assert _statuses(response) == ["201 Created"] * 20


def test_a_conditional_reference_to_a_patient_is_resolved_or_refused() -> None:
    gateway, secret = make_gateway()
    hospital = gateway.institution
    ours = make_patient(hospital)
    patient = patient_entry(hospital, "MRN001", resident_id=ours.resident_id or "")
    assert _statuses(push(secret, bundle([patient]))) == ["201 Created"]
    patient_row = FhirResource.objects.get(resource_type="Patient")
    named = f"Patient?identifier={mrn(hospital)}|MRN001"
    unknown = f"Patient?identifier={mrn(hospital)}|MRN404"

    response = push(secret, bundle([
        observation_entry(hospital, "R1", {"reference": named}),
        observation_entry(hospital, "R2", {"reference": unknown}),
    ]))  # fmt: skip

    assert _statuses(response) == ["201 Created", "404 Not Found"]
    assert "MRN404" in response.json()["entry"][1]["response"]["outcome"]["issue"][0]["diagnostics"]
    stored = FhirResource.objects.get(resource_type="Observation")
    assert stored.content["subject"]["reference"] == f"Patient/{patient_row.logical_id}"
    assert stored.patient_id == ours.pk


def test_a_conditional_reference_nothing_resolves_is_refused_not_kept() -> None:
    gateway, secret = make_gateway()
    hospital = gateway.institution
    patient = patient_entry(hospital, "MRN001")
    result = observation_entry(hospital, "R1", {"reference": patient["fullUrl"]})
    result["resource"]["encounter"] = {"reference": "Encounter?identifier=urn:x|V1"}

    response = push(secret, bundle([patient, result]))

    assert _statuses(response) == ["201 Created", "400 Bad Request"]
    diagnostics = response.json()["entry"][1]["response"]["outcome"]["issue"][0]["diagnostics"]
    assert "Encounter?identifier=urn:x|V1" in diagnostics
    assert not FhirResource.objects.filter(resource_type="Observation").exists()
