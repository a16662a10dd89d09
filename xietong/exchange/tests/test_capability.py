"""The CapabilityStatement declares the pushed types' search surface as it is served: each
type's parameters, its `_include`s and `Patient/$everything`, valid R4 (R4B models)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from .records import doctor_at, numbers, record_pushed

pytestmark = pytest.mark.django_db

EVERYTHING = "http://hl7.org/fhir/OperationDefinition/Patient-everything"


def _served() -> dict[str, Any]:
    statement = Client().get("/fhir/R4/metadata").json()
    CapabilityStatement.model_validate(statement)
    return {r["type"]: r for r in statement["rest"][0]["resource"]}


def test_each_type_declares_the_parameters_it_has() -> None:
    served = _served()
    params = {t: {p["name"]: p["type"] for p in r.get("searchParam", [])}
              for t, r in served.items()}  # fmt: skip
    assert params["Patient"] == {"identifier": "token", "_lastUpdated": "date"}
    assert params["AllergyIntolerance"] == {
        "patient": "reference", "identifier": "token", "date": "date", "code": "token",
        "_lastUpdated": "date",
    }  # fmt: skip
    assert set(params["Condition"]) == {
        "patient", "subject", "identifier", "date", "code", "category", "_lastUpdated",
    }  # fmt: skip
    assert set(params["Encounter"]) == {
        "patient", "subject", "identifier", "date", "code", "status", "_lastUpdated",
    }  # fmt: skip
    assert "Observation.effectiveDateTime" in served["Observation"]["documentation"]
    assert "_sort" in served["Observation"]["documentation"]


def test_includes_and_everything_are_declared_where_served() -> None:
    served = _served()
    assert served["Observation"]["searchInclude"] == ["Observation:patient", "Observation:subject"]
    assert served["AllergyIntolerance"]["searchInclude"] == ["AllergyIntolerance:patient"]
    assert "searchInclude" not in served["Patient"]
    assert served["Patient"]["operation"] == [{"name": "everything", "definition": EVERYTHING}]
    assert [t for t, r in served.items() if "operation" in r] == ["Patient"]


def test_every_declared_parameter_and_include_is_answered() -> None:
    record = record_pushed()
    doctor = doctor_at(record.city)
    values = {"token": "x", "date": "ge2000", "reference": f"Patient/{record.city_patient_id}"}
    for resource_type, resource in _served().items():
        if "searchInclude" not in resource and resource_type != "Patient":
            continue  # the workflows' types (Task): their own tests
        for param in resource["searchParam"]:
            answer = doctor.get(f"/fhir/R4/{resource_type}", {param["name"]: values[param["type"]]})
            assert answer.status_code == 200, (resource_type, param)
        for include in resource.get("searchInclude", []):
            answer = doctor.get(
                f"/fhir/R4/{resource_type}", {"_lastUpdated": "ge2000", "_include": include}
            )
            assert answer.status_code == 200, include
    allergies = doctor.get(
        "/fhir/R4/AllergyIntolerance", {"date": "ge2000", "_include": "AllergyIntolerance:patient"}
    ).json()
    assert numbers(allergies) == []  # undated: no date matches it
