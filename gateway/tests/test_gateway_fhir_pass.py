"""The FHIR pass-through of a running gateway: real HTTP into `xt-gateway run`, real pushes to
a platform on a local port, the process killed with -9 in between."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gateway_fakes import FakePlatform
from test_gateway_process import Gateway, wait_for, write_config
from xt_gateway.outbox import Outbox

INSTITUTION = "H330100001"
MRN = f"urn:xietong:mrn:{INSTITUTION}"
RESULT = f"urn:xietong:source:{INSTITUTION}:result"
LOCAL_LAB = "http://lis.hz-first.example/codes/lab-item"  # the hospital's own code table
CREDENTIAL = "lan-credential-hz1-7f3a"
FHIR = """
[fhir]
host = "127.0.0.1"
port = 0
credential_env = "XT_GATEWAY_TEST_FHIR_CREDENTIAL"
"""


@pytest.fixture
def fake() -> Iterator[FakePlatform]:
    platform = FakePlatform().start()
    yield platform
    platform.stop()


@pytest.fixture(autouse=True)
def credential(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XT_GATEWAY_TEST_FHIR_CREDENTIAL", CREDENTIAL)


def patient(mrn: str, name: str = "张三") -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "identifier": [{"system": MRN, "value": mrn}],
        "name": [{"text": name}],
        "gender": "male",
    }


def glucose(number: str, *, mrn: str | None = None, subject: str | None = None) -> dict:
    return {
        "resourceType": "Observation",
        "identifier": [{"system": RESULT, "value": number}],
        "status": "final",
        "code": {
            "coding": [
                {"system": "http://loinc.org", "code": "2345-7"},
                {"system": LOCAL_LAB, "code": "GLU", "display": "葡萄糖"},
            ]
        },
        "subject": {"reference": subject}
        if subject
        else {"identifier": {"system": MRN, "value": mrn}},
        "valueQuantity": {"value": 5.6, "unit": "mmol/L"},
    }


def post(
    gateway: Gateway, path: str, body: Any, *, credential: str = CREDENTIAL, method: str = "POST"
) -> tuple[int, dict[str, Any]]:
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{gateway.ports['fhir']}/fhir/R4{path}",
        data=data,
        method=method,
        headers={"Content-Type": "application/fhir+json", "Authorization": f"Bearer {credential}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def queued(tmp_path: Path) -> int:
    box = Outbox(tmp_path / "state" / "outbox.sqlite3")
    try:
        return box.status().queue_depth + box.status().sent
    finally:
        box.close()


def test_a_resource_arrives_as_the_hospital_wrote_it_and_a_resend_changes_nothing(
    tmp_path: Path, fake: FakePlatform
) -> None:
    gateway = Gateway(write_config(tmp_path, fake, extra=FHIR))
    try:
        status, answer = post(gateway, "/Observation", glucose("R1", mrn="0001"))
        assert status == 201
        assert answer["identifier"] == [{"system": RESULT, "value": "R1"}]
        wait_for(lambda: len(fake.applied) == 1)
        again, _ = post(gateway, "/Observation", glucose("R1", mrn="0001"))
        assert again == 200
    finally:
        assert gateway.stop() == 0
    assert len(fake.receipts) == 1
    stored = fake.resources[f"Observation/{RESULT}|R1"]
    assert {"system": LOCAL_LAB, "code": "GLU", "display": "葡萄糖"} in stored["code"]["coding"]
    assert stored["subject"] == {"identifier": {"system": MRN, "value": "0001"}}


def test_a_batch_goes_entry_by_entry_in_order_and_a_transaction_as_one(
    tmp_path: Path, fake: FakePlatform
) -> None:
    gateway = Gateway(write_config(tmp_path, fake, extra=FHIR))
    batch = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {"fullUrl": "urn:uuid:p-li", "resource": patient("0002", "李四")},
            {"resource": glucose("R2", subject="urn:uuid:p-li")},
            {"resource": glucose("R3", subject=f"Patient?identifier={MRN}|0002")},
        ],
    }
    transaction = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"fullUrl": "urn:uuid:p-wang", "resource": patient("0003", "王五")},
            {"resource": glucose("R4", subject="urn:uuid:p-wang")},
        ],
    }
    try:
        status, answer = post(gateway, "", batch)
        assert status == 200
        assert answer["type"] == "batch-response"
        assert [e["response"]["status"] for e in answer["entry"]] == ["201 Created"] * 3
        status, answer = post(gateway, "", transaction)
        assert (status, answer["type"]) == (200, "transaction-response")
        wait_for(lambda: len(fake.applied) == 4)
    finally:
        gateway.stop()
    # The Patient went before its results; the batch's reference to it went by identifier.
    assert fake.resources[f"Observation/{RESULT}|R2"]["subject"] == {
        "identifier": {"system": MRN, "value": "0002"}
    }
    order = fake.resources_order
    assert order.index(f"Patient/{MRN}|0002") < order.index(f"Observation/{RESULT}|R2")
    assert order.index(f"Observation/{RESULT}|R2") < order.index(f"Observation/{RESULT}|R3")
    # Four messages: three entries of the batch, and the transaction whole.
    assert len(fake.applied) == 4
    assert [m for m in fake.applied if fake.patient_of.get(m) == "0003"] != []
    assert fake.duplicated_count() == 0


def test_what_cannot_be_taken_is_refused_before_anything_is_kept(
    tmp_path: Path, fake: FakePlatform
) -> None:
    gateway = Gateway(write_config(tmp_path, fake, extra=FHIR))
    no_identifier = {**glucose("R5", mrn="0001"), "identifier": []}
    bad_batch = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [{"resource": patient("0004")}, {"resource": {"resourceType": "Basic"}}],
    }
    try:
        status, answer = post(gateway, "/Observation", no_identifier)
        assert status == 400
        assert answer["resourceType"] == "OperationOutcome"
        assert answer["issue"][0]["expression"] == ["Observation.identifier"]
        assert "identifier" in answer["issue"][0]["diagnostics"]
        status, answer = post(gateway, "", bad_batch)
        assert status == 400
        assert answer["issue"][0]["expression"] == ["Bundle.entry[1].resource.resourceType"]
        status, answer = post(gateway, "/Observation", b"{not json")
        assert (status, answer["issue"][0]["code"]) == (400, "structure")
        status, answer = post(gateway, "/Observation", glucose("R6", mrn="1"), credential="x")
        assert (status, answer["issue"][0]["code"]) == (401, "login")
    finally:
        gateway.stop()
    assert queued(tmp_path) == 0  # the good Patient of the refused batch was not kept either
    assert fake.receipts == []


def test_a_full_disk_refuses_before_answering(tmp_path: Path, fake: FakePlatform) -> None:
    gateway = Gateway(write_config(tmp_path, fake, extra=FHIR, min_free_mb=2**30))
    try:
        status, answer = post(gateway, "/Patient", patient("0005"))
    finally:
        gateway.stop()
    assert status == 507
    assert answer["resourceType"] == "OperationOutcome"
    assert "磁盘空间不足" in answer["issue"][0]["diagnostics"]
    assert queued(tmp_path) == 0


def test_killed_after_201s_then_restarted_nothing_lost_nothing_twice(
    tmp_path: Path, fake: FakePlatform
) -> None:
    config = write_config(tmp_path, fake, extra=FHIR)
    fake.mode = "error"  # the platform is down: everything waits in the outbox
    gateway = Gateway(config)
    numbers = [f"K{i:03d}" for i in range(24)]
    try:
        for i, number in enumerate(numbers):
            status, _ = post(gateway, "/Observation", glucose(number, mrn=f"00{i % 3}"))
            assert status == 201
    finally:
        gateway.kill()
    fake.mode = "ok"
    gateway = Gateway(config)
    try:
        # The system resends the last one (it never read our 201): kept once.
        assert post(gateway, "/Observation", glucose(numbers[-1], mrn="002"))[0] == 200
        wait_for(lambda: len(fake.applied) == len(numbers))
    finally:
        assert gateway.stop() == 0
    assert {f"Observation/{RESULT}|{n}" for n in numbers} == set(fake.resources)
    assert fake.duplicated_count() == 0
    assert len(fake.applied) == len(set(fake.applied)) == len(numbers)
    for mrn in ("000", "001", "002"):
        arrived = [
            rid.rsplit("|", 1)[1]
            for rid in fake.resources_order
            if fake.resources[rid]["subject"]["identifier"]["value"] == mrn
        ]
        assert arrived == [n for i, n in enumerate(numbers) if f"00{i % 3}" == mrn]
