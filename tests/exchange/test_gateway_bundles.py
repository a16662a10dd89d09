"""The hospital gateway's own Bundles, mapped by xt_gateway from HL7 v2 messages a HIS sends,
pushed to the platform: both sides of the exchange contract meet here."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
from django.test import Client
from xt_gateway import hl7v2
from xt_gateway.mapping import map_message

from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory
from xietong.exchange.models import FhirResource
from xietong.exchange.tests.factories import make_gateway
from xietong.patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db

CODE = "H410122001"
RESIDENT_ID = "11010519491231002X"


def _hl7(*segments: str) -> bytes:
    return "\r".join(segments).encode("gb18030")


def adt_a01() -> bytes:
    pv1 = ["1", "I", "心内科病区^0302^02", "", "", "", "D001^李^医生", "", "", "心内科"]
    return _hl7(
        "MSH|^~\\&|HIS|中牟县人民医院|XT-GW|XT|20261201083000||ADT^A01^ADT_A01|ADT0001|P|2.5"
        "||||||GB18030",
        "EVN|A01|20261201083000",
        f"PID|1||0012345^^^ZM^MR~{RESIDENT_ID}^^^^NNCHN||王^小明^^^^^L||19491231|F",
        "PV1|" + "|".join([*pv1, *[""] * 8, "V001234501", *[""] * 24, "20261201080000"]),
        "DG1|1|I10|I10^原发性高血压^I10|原发性高血压|20261201083000|F",
    )


def oru_r01(control: str = "LAB0001", potassium: str = "5.8") -> bytes:
    return _hl7(
        f"MSH|^~\\&|LIS|检验科|XT-GW|XT|20261202101500||ORU^R01^ORU_R01|{control}|P|2.5"
        "||||||GB18030",
        "PID|1||0012345^^^ZM^MR||王^小明||19491231|F",
        "OBR|1|ORDL1|RL1|BMP^基础代谢组合^L|||20261202083000|||||||||||||||20261202101000|||F",
        f"OBX|1|NM|2823-3^钾^LN^K^血钾^L||{potassium}|mmol/L|3.5-5.5|H|||F|||20261202083000",
        "OBX|2|ST|REM^备注^L||标本轻度溶血\\T\\已复查||||||F",
    )


def orm_o01(order_control: str = "NW") -> bytes:
    return _hl7(
        "MSH|^~\\&|HIS|中牟县人民医院|XT-GW|XT|20261203091500||ORM^O01^ORM_O01|ORD0001|P|2.5"
        "||||||GB18030",
        "PID|1||0012345^^^ZM^MR||王^小明||19491231|F",
        "PV1|1|O|" + "|" * 16 + "V001234502",
        f"ORC|{order_control}|CT20261203001|F77001||||^^^^^S||20261203091000|||D002^张^医生",
        "OBR|1|CT20261203001||CT-HEAD^头颅CT平扫^L|||||||||胸闷\\R\\头痛待查|||||||||||CT",
    )


def _push(secret: str, raw: bytes) -> Any:
    bundle = map_message(hl7v2.parse(raw, default_encoding="gb18030"), CODE).bundle
    return Client().post(
        "/fhir/R4", json.dumps(bundle, ensure_ascii=False),
        content_type="application/fhir+json", headers={"authorization": f"Bearer {secret}"},
    )  # fmt: skip


def _statuses(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [e["response"]["status"] for e in response.json()["entry"]]


def test_an_admission_and_a_lab_result_from_the_gateway_are_accepted_and_linked() -> None:
    hospital = cast(Institution, InstitutionFactory(code=CODE))
    ours = make_patient(hospital, resident_id=RESIDENT_ID)
    _gateway, secret = make_gateway(hospital)

    admitted = _statuses(_push(secret, adt_a01()))
    resulted = _push(secret, oru_r01())

    assert set(admitted) == {"201 Created"}, admitted
    assert set(_statuses(resulted)) <= {"201 Created", "200 OK"}, resulted.json()
    observations = FhirResource.objects.filter(resource_type="Observation")
    assert observations.count() == 2
    assert {o.patient_id for o in observations} == {ours.pk}


def test_a_resent_hl7_message_is_answered_again_and_applied_once() -> None:
    hospital = cast(Institution, InstitutionFactory(code=CODE))
    _gateway, secret = make_gateway(hospital)
    _push(secret, adt_a01())
    first = _push(secret, oru_r01())
    count = FhirResource.objects.count()

    again = _push(secret, oru_r01())

    assert again.json() == first.json()
    assert FhirResource.objects.count() == count


def test_a_corrected_result_under_a_new_message_updates_the_same_observation() -> None:
    hospital = cast(Institution, InstitutionFactory(code=CODE))
    _gateway, secret = make_gateway(hospital)
    _push(secret, adt_a01())
    _push(secret, oru_r01())

    corrected = _push(secret, oru_r01(control="LAB0002", potassium="4.1"))

    assert "201 Created" not in _statuses(corrected)
    potassium = [
        o for o in FhirResource.objects.filter(resource_type="Observation")
        if o.content.get("valueQuantity")
    ]  # fmt: skip
    assert [(o.content["valueQuantity"]["value"], o.version_id) for o in potassium] == [(4.1, 2)]


def test_an_order_and_its_cancellation_are_one_service_request() -> None:
    hospital = cast(Institution, InstitutionFactory(code=CODE))
    _gateway, secret = make_gateway(hospital)
    _push(secret, adt_a01())

    ordered = _statuses(_push(secret, orm_o01()))
    cancelled = _push(secret, orm_o01(order_control="CA").replace(b"ORD0001", b"ORD0002"))

    assert "201 Created" in ordered
    assert "201 Created" not in _statuses(cancelled)
    orders = FhirResource.objects.filter(resource_type="ServiceRequest")
    assert [(o.status, o.version_id) for o in orders] == [("revoked", 2)]
