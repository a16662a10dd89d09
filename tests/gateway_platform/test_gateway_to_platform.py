"""The gateway's Bundles and heartbeat, as the platform's exchange app takes them.

The two sides are built apart and meet only through the exchange contract; this walks the
gateway's real mappings of HL7 v2 and CSV messages through POST /fhir/R4 and checks that every
entry is accepted, and that a resend (the gateway's retry after a lost answer) changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from xt_gateway import __version__, hl7v2
from xt_gateway.mapping import map_message
from xt_gateway.mapping.csvfiles import map_csv
from xt_gateway.outbox import Outbox

from xietong.exchange.models import FhirResource
from xietong.exchange.tests.factories import make_gateway, push

pytestmark = pytest.mark.django_db

ADT = (
    "MSH|^~\\&|HIS|杭州市第一人民医院|XT-GW|XT|20261201083000||ADT^A01^ADT_A01|ADT0001|P|2.5"
    "||||||GB18030\r"
    "PID|1||0012345^^^HZ1^MR~33010219800101002X^^^^NNCHN||王^小明^^^^^L||19800101|M|||"
    "文三路\\F\\90号^^杭州市^浙江省^310012^CHN^^^西湖区||13900001111\r"
    "PV1|1|I|心内科病区^0302^02||||D001^李^医生|||心内科|||||||||V001234501\r"
    "DG1|1|I10|I10^原发性高血压^I10|原发性高血压|20261201083000|F\r"
    "DG1|2||HIS-0042^冠心病^^I25.1^慢性缺血性心脏病^I10||20261201083000|W"
)
ORU = (
    "MSH|^~\\&|LIS|检验科|XT-GW|XT|20261202101500||ORU^R01^ORU_R01|LAB0001|P|2.5||||||GB18030\r"
    "PID|1||0012345^^^HZ1^MR||王^小明||19800101|M\r"
    "OBR|1|ORDLAB0001|RLAB0001|BMP^基础代谢组合^L|||20261202083000||||||||||||||20261202101000"
    "|||F\r"
    "OBX|1|NM|2823-3^钾^LN^K^血钾^L||5.8|mmol/L|3.5-5.5|H|||F|||20261202083000\r"
    "OBX|2|NM|2951-2^钠^LN||140|mmol/L|137-147|N|||F\r"
    "OBX|3|ST|GLU-REM^备注^L||标本轻度溶血\\T\\已复查~结果可靠||||||F"
)
CSV = (
    "mrn,name,report_no,item_code,item_name,loinc,value,unit,reference_range,flag,collected_at\n"
    "0012345,王小明,R88001,K,血钾,2823-3,4.1,mmol/L,3.5-5.5,N,2026-12-03 08:30\n"
)


def _bundle(text: str, code: str) -> dict[str, Any]:
    raw = text.encode("gb18030")
    return map_message(hl7v2.parse(raw, default_encoding="gb18030"), code).bundle


def _statuses(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [e["response"]["status"] for e in response.json()["entry"]]


def test_admission_results_and_csv_from_the_gateway_are_all_accepted() -> None:
    gateway, secret = make_gateway()
    code = gateway.institution.code
    admission = _bundle(ADT, code)
    assert _statuses(push(secret, admission)) == ["201 Created"] * 4
    results = _bundle(ORU, code)
    # The patient exists: the lab's conditional create finds them; the rest is new.
    assert _statuses(push(secret, results)) == ["200 OK"] + ["201 Created"] * 4
    [csv_message] = map_csv(CSV, institution=code, file_id="f1")
    assert _statuses(push(secret, csv_message.bundle)) == ["200 OK"] + ["201 Created"] * 2
    kinds = sorted(FhirResource.objects.values_list("resource_type", flat=True))
    assert kinds == sorted(
        ["Patient", "Encounter", "Condition", "Condition", "DiagnosticReport", "DiagnosticReport"]
        + ["Observation"] * 4
    )
    # One patient however many messages named them.
    assert len({r.patient_id for r in FhirResource.objects.all()}) == 1


def test_a_resent_gateway_bundle_changes_nothing() -> None:
    gateway, secret = make_gateway()
    results = _bundle(ORU, gateway.institution.code)
    first = push(secret, results)
    count = FhirResource.objects.count()
    again = push(secret, json.loads(json.dumps(results)))
    assert again.json() == first.json()
    assert FhirResource.objects.count() == count


def test_the_gateways_heartbeat_is_taken(tmp_path: Path) -> None:
    _, secret = make_gateway()
    box = Outbox(tmp_path / "outbox.sqlite3", min_free_bytes=1)
    box.put(message_id="m1", patient_key="k", kind="ORU^R01", raw=b"", bundle=_bundle(ORU, "X"))
    box.record_error("平台错误 / platform error 500")
    payload = {**box.status().as_json(), "version": __version__}  # what the gateway sends
    box.close()
    assert payload["queue_depth"] == 1
    response = Client().post(
        "/api/v1/exchange/heartbeat",
        payload,
        content_type="application/json",
        headers={"authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["ok"] is True
