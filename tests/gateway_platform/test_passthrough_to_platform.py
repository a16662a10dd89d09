"""What the gateway's FHIR pass-through keeps, as the platform takes it: a hospital's own FHIR
resources, its code systems kept, each Bundle the outbox would push accepted, a resend
changing nothing."""

from __future__ import annotations

from typing import Any

import pytest
from xt_gateway.mapping.fhirpass import map_bundle, map_resource

from xietong.exchange.models import FhirResource
from xietong.exchange.tests.factories import make_gateway, push

pytestmark = pytest.mark.django_db

LOCAL_LAB = "http://lis.hospital.example/codes/lab-item"


def _patient(code: str, mrn: str) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "identifier": [{"system": f"urn:xietong:mrn:{code}", "value": mrn}],
        "name": [{"text": "孙八"}],
        "gender": "female",
        "birthDate": "1975-03-02",
    }


def _potassium(code: str, number: str, subject: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "identifier": [{"system": f"urn:xietong:source:{code}:result", "value": number}],
        "status": "final",
        "code": {
            "coding": [
                {"system": "http://loinc.org", "code": "2823-3"},
                {"system": LOCAL_LAB, "code": "K", "display": "血钾"},
            ]
        },
        "subject": subject,
        "effectiveDateTime": "2026-12-04T08:30:00+08:00",
        "valueQuantity": {"value": 4.2, "unit": "mmol/L"},
    }


def _statuses(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [e["response"]["status"] for e in response.json()["entry"]]


def test_pass_through_messages_are_accepted_with_the_hospitals_codes() -> None:
    gateway, secret = make_gateway()
    code = gateway.institution.code
    batch = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {"fullUrl": "urn:uuid:p1", "resource": _patient(code, "M0301")},
            {"resource": _potassium(code, "K1", {"reference": "urn:uuid:p1"})},
        ],
    }
    messages = map_bundle(batch, institution=code)
    assert [_statuses(push(secret, m.bundle)) for m in messages] == [["201 Created"]] * 2
    single = map_resource(
        _potassium(code, "K2", {"reference": f"Patient?identifier=urn:xietong:mrn:{code}|M0301"}),
        institution=code,
    )
    assert _statuses(push(secret, single.bundle)) == ["201 Created"]
    transaction = map_bundle(
        {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [
                {"fullUrl": "urn:uuid:p2", "resource": _patient(code, "M0302")},
                {"resource": _potassium(code, "K3", {"reference": "urn:uuid:p2"})},
            ],
        },
        institution=code,
    )
    assert _statuses(push(secret, transaction[0].bundle)) == ["201 Created"] * 2
    # The outbox resends after a lost answer: nothing changes.
    assert _statuses(push(secret, messages[1].bundle)) == ["201 Created"]
    results = FhirResource.objects.filter(resource_type="Observation")
    assert results.count() == 3
    assert all(r.version_id == 1 for r in results)
    for result in results:
        assert {"system": LOCAL_LAB, "code": "K", "display": "血钾"} in result.content["code"][
            "coding"
        ]
    # Named through the batch's fullUrl or by a conditional reference: the same patient.
    patients = {
        p.content["identifier"][0]["value"]: f"Patient/{p.logical_id}"
        for p in FhirResource.objects.filter(resource_type="Patient")
    }
    subjects = {r.content["identifier"][0]["value"]: r.subject for r in results}
    assert subjects == {"K1": patients["M0301"], "K2": patients["M0301"], "K3": patients["M0302"]}
