"""An independent FHIR client, fhirpy, as a hospital system would use it against the gateway's
pass-through: create, update by id, a transaction, and the refusals it raises."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import AuthorizationError, OperationOutcome
from gateway_fakes import FakePlatform
from test_gateway_fhir_pass import CREDENTIAL, FHIR, LOCAL_LAB, MRN, RESULT, glucose, patient
from test_gateway_process import Gateway, wait_for, write_config


@pytest.fixture
def fake() -> Iterator[FakePlatform]:
    platform = FakePlatform().start()
    yield platform
    platform.stop()


@pytest.fixture
def gateway(tmp_path: Path, fake: FakePlatform, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    monkeypatch.setenv("XT_GATEWAY_TEST_FHIR_CREDENTIAL", CREDENTIAL)
    running = Gateway(write_config(tmp_path, fake, extra=FHIR))
    yield running
    assert running.stop() == 0


def _client(gateway: Gateway, credential: str = CREDENTIAL) -> SyncFHIRClient:
    base = f"http://127.0.0.1:{gateway.ports['fhir']}/fhir/R4"
    return SyncFHIRClient(base, authorization=f"Bearer {credential}")


def test_fhirpy_creates_updates_and_sends_a_transaction(
    gateway: Gateway, fake: FakePlatform
) -> None:
    client = _client(gateway)
    saved = client.resource("Patient", **patient("0101", "赵六")).save()
    assert saved["identifier"][0]["value"] == "0101"
    # The hospital's system updates by its own id: PUT Observation/<id>.
    observation = client.resource("Observation", id="lis-778", **glucose("R101", mrn="0101"))
    observation.save()
    observation["valueQuantity"] = {"value": 6.1, "unit": "mmol/L"}
    observation.save()
    answer = client.execute(
        "",
        data={
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [
                {"fullUrl": "urn:uuid:p-qian", "resource": patient("0102", "钱七")},
                {"resource": glucose("R102", subject="urn:uuid:p-qian")},
            ],
        },
    )
    assert answer["type"] == "transaction-response"
    wait_for(lambda: len(fake.applied) == 4)
    result = fake.resources[f"Observation/{RESULT}|R101"]
    assert result["valueQuantity"]["value"] == 6.1  # the update came after the create
    assert any(c["system"] == LOCAL_LAB for c in result["code"]["coding"])
    assert f"Patient/{MRN}|0102" in fake.resources
    # Four messages, each applied once (R101 twice on purpose: its create, then its update).
    assert len(fake.applied) == len(set(fake.applied)) == 4


def test_fhirpy_sees_the_refusals(gateway: Gateway, fake: FakePlatform) -> None:
    with pytest.raises(AuthorizationError):
        _client(gateway, "wrong").resource("Patient", **patient("0103")).save()
    no_subject = {k: v for k, v in glucose("R103", mrn="0103").items() if k != "subject"}
    with pytest.raises(OperationOutcome) as refused:
        _client(gateway).resource("Observation", **no_subject).save()
    assert "Observation.subject" in str(refused.value)
    assert fake.receipts == []
