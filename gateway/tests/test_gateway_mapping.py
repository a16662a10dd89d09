"""HL7 v2 -> FHIR R4: what the platform receives for real-looking HIS messages."""

from __future__ import annotations

import pytest
from gateway_messages import INSTITUTION, adt_a01, orm_o01, oru_r01
from xt_gateway import hl7v2
from xt_gateway.hl7v2 import HL7Error
from xt_gateway.mapping import Mapped, map_message


def mapped(raw: bytes, encoding: str = "gb18030") -> Mapped:
    return map_message(hl7v2.parse(raw, default_encoding=encoding), INSTITUTION)


def resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_admission_in_gb18030_with_repetition_and_escape() -> None:
    m = mapped(adt_a01())
    assert m.message_id == "H330100001:HIS:ADT0001"
    assert m.bundle["identifier"] == {
        "system": "urn:xietong:gateway-message",
        "value": "H330100001:HIS:ADT0001",
    }
    [patient] = resources(m.bundle, "Patient")
    # PID-3 repeats: the MRN and the resident ID, each under the contract's system.
    assert patient["identifier"] == [
        {"use": "usual", "system": "urn:xietong:mrn:H330100001", "value": "0012345"},
        {"use": "official", "system": "urn:xietong:resident-id", "value": "33010219800101002X"},
    ]
    assert patient["name"][0]["text"] == "王小明"
    assert patient["name"][0]["family"] == "王"
    assert patient["gender"] == "male"
    assert patient["birthDate"] == "1980-01-01"
    # \F\ in the street is the field separator the HIS escaped.
    assert patient["address"][0]["line"] == ["文三路|90号"]
    assert patient["address"][0]["district"] == "西湖区"
    assert [t["value"] for t in patient["telecom"]] == ["0571-88886666", "13900001111"]
    entry = m.bundle["entry"][0]
    assert entry["request"] == {
        "method": "PUT",
        "url": "Patient?identifier=urn:xietong:mrn:H330100001|0012345",
    }


def test_admission_encounter_and_diagnoses_keep_the_hospitals_codes() -> None:
    m = mapped(adt_a01())
    [encounter] = resources(m.bundle, "Encounter")
    assert encounter["status"] == "in-progress"
    assert encounter["class"]["code"] == "IMP"
    assert encounter["identifier"] == [
        {"system": "urn:xietong:source:H330100001:visit", "value": "V001234501"}
    ]
    assert encounter["period"] == {"start": "2026-12-01T08:00:00+08:00"}
    patient_url = m.bundle["entry"][0]["fullUrl"]
    assert patient_url.startswith("urn:uuid:")
    assert encounter["subject"] == {"reference": patient_url}
    hypertension, chd = resources(m.bundle, "Condition")
    assert hypertension["code"]["coding"][0] == {
        "system": "http://hl7.org/fhir/sid/icd-10",
        "code": "I10",
        "display": "原发性高血压",
    }
    assert hypertension["verificationStatus"]["coding"][0]["code"] == "confirmed"
    # The hospital's own code first, the ICD-10 code it maps to beside it.
    assert [(c["system"], c["code"]) for c in chd["code"]["coding"]] == [
        ("urn:xietong:code:H330100001:diagnosis", "HIS-0042"),
        ("http://hl7.org/fhir/sid/icd-10", "I25.1"),
    ]
    assert chd["encounter"]["reference"] == m.bundle["entry"][1]["fullUrl"]


def test_same_message_maps_to_the_same_bundle() -> None:
    assert mapped(adt_a01()).bundle == mapped(adt_a01()).bundle


def test_discharge_needs_its_time_and_finishes_the_visit() -> None:
    raw = adt_a01().replace(b"ADT^A01^ADT_A01", b"ADT^A03^ADT_A03")
    with pytest.raises(HL7Error) as refused:
        mapped(raw)
    assert refused.value.where == "PV1-45"
    raw = raw.replace(b"20261201080000", b"20261201080000|20261210093000")
    [encounter] = resources(mapped(raw).bundle, "Encounter")
    assert encounter["status"] == "finished"
    assert encounter["period"]["end"] == "2026-12-10T09:30:00+08:00"


def test_merge_links_the_prior_record() -> None:
    text = "\r".join(
        [
            "MSH|^~\\&|HIS|H|XT|XT|20261203||ADT^A40^ADT_A39|M1|P|2.5||||||GB18030",
            "PID|1||0012345^^^HZ1^MR||王^小明||19800101|M",
            "MRG|0099887^^^HZ1^MR",
        ]
    )
    survivor, prior = resources(mapped(text.encode("gb18030")).bundle, "Patient")
    assert survivor["link"] == [
        {
            "other": {"identifier": {"system": "urn:xietong:mrn:H330100001", "value": "0099887"}},
            "type": "replaces",
        }
    ]
    assert prior["active"] is False
    assert prior["link"][0]["type"] == "replaced-by"


def test_lab_results_with_units_ranges_flags_and_standard_codes() -> None:
    m = mapped(oru_r01())
    entry = m.bundle["entry"][0]
    # A lab system never overwrites demographics: conditional create only.
    assert entry["request"]["method"] == "POST"
    assert entry["request"]["ifNoneExist"] == "identifier=urn:xietong:mrn:H330100001|0012345"
    [report] = resources(m.bundle, "DiagnosticReport")
    potassium, sodium, remark = resources(m.bundle, "Observation")
    assert report["status"] == "final"
    assert report["issued"] == "2026-12-02T10:10:00+08:00"
    assert [r["reference"] for r in report["result"]] == [
        e["fullUrl"] for e in m.bundle["entry"] if e["resource"]["resourceType"] == "Observation"
    ]
    assert potassium["valueQuantity"]["value"] == 5.8
    assert potassium["valueQuantity"]["unit"] == "mmol/L"
    assert potassium["referenceRange"][0]["low"]["value"] == 3.5
    assert potassium["referenceRange"][0]["high"]["value"] == 5.5
    assert potassium["interpretation"][0]["coding"][0]["code"] == "H"
    assert [(c["system"], c["code"]) for c in potassium["code"]["coding"]] == [
        ("http://loinc.org", "2823-3"),
        ("urn:xietong:code:H330100001:lab-item", "K"),
    ]
    assert sodium["valueQuantity"]["value"] == 140
    # \T\ is an escaped "&"; "~" splits the text result into its lines.
    assert remark["valueString"] == "标本轻度溶血&已复查\n结果可靠"
    assert m.bundle["entry"][2]["request"] == {
        "method": "PUT",
        "url": "Observation?identifier=urn:xietong:source:H330100001:result|RLAB0001-2823-3",
    }


def test_utf8_named_in_msh18_and_the_configured_default() -> None:
    raw = adt_a01(charset="UNICODE UTF-8")
    assert resources(mapped(raw).bundle, "Patient")[0]["name"][0]["text"] == "王小明"
    # No MSH-18: the gateway's configured encoding decides.
    no_charset = adt_a01().replace(b"|GB18030", b"")
    assert resources(mapped(no_charset).bundle, "Patient")[0]["name"][0]["text"] == "王小明"
    with pytest.raises(HL7Error) as refused:
        mapped(no_charset, encoding="utf-8")
    assert refused.value.where == "MSH-18"


@pytest.mark.parametrize(
    ("change", "where", "code"),
    [
        ((b"|M|||", b"|X|||"), "PID-8", 103),
        ((b"0012345^^^HZ1^MR~", b""), "PID-3", 101),
        ((b"|19800101|", b"|19801301|"), "PID-7", 102),
        ((b"|I|", b"|Q|"), "PV1-2", 103),
        ((b"33010219800101002X", b"3301021980"), "PID-3", 102),
        ((b"ADT^A01^ADT_A01", b"ADT^A99^ADT_A01"), "MSH-9", 200),
        ((b"|ADT0001|", b"||"), "MSH-10", 101),
        ((b"|GB18030", b"|EBCDIC"), "MSH-18", 103),
    ],
)
def test_a_malformed_message_names_the_segment_and_field(
    change: tuple[bytes, bytes], where: str, code: int
) -> None:
    raw = adt_a01().replace(*change)
    assert raw != adt_a01()
    with pytest.raises(HL7Error) as refused:
        mapped(raw)
    assert refused.value.where == where
    assert refused.value.code == code


def test_a_non_numeric_result_is_refused_at_its_field() -> None:
    with pytest.raises(HL7Error) as refused:
        mapped(oru_r01(potassium="溶血"))
    assert refused.value.where == "OBX-5"


def test_orders_become_service_requests() -> None:
    m = mapped(orm_o01())
    assert m.message_id == "H330100001:HIS:ORD0001"
    assert m.bundle["entry"][0]["request"]["method"] == "POST"  # the patient: create only
    ct, cbc = resources(m.bundle, "ServiceRequest")
    assert ct["status"] == "active"
    assert ct["intent"] == "order"
    assert ct["priority"] == "stat"
    assert ct["identifier"] == [
        {"system": "urn:xietong:source:H330100001:order", "value": "CT20261203001"},
        {"system": "urn:xietong:source:H330100001:filler-order", "value": "F77001"},
    ]
    assert ct["code"]["coding"] == [
        {
            "system": "urn:xietong:code:H330100001:order-item",
            "code": "CT-HEAD",
            "display": "头颅CT平扫",
        }
    ]
    assert ct["requester"]["display"] == "张医生"
    assert ct["reasonCode"] == [{"text": "胸闷~头痛待查"}]  # \R\ is an escaped "~"
    assert ct["authoredOn"] == "2026-12-03T09:10:00+08:00"
    assert ct["encounter"] == {
        "identifier": {"system": "urn:xietong:source:H330100001:visit", "value": "V001234502"}
    }
    assert cbc["priority"] == "routine"
    assert [c["code"] for c in cbc["code"]["coding"]] == ["58410-2", "CBC"]
    assert cbc["category"][0]["coding"][0]["code"] == "108252007"  # laboratory procedure
    assert m.bundle["entry"][1]["request"] == {
        "method": "PUT",
        "url": "ServiceRequest?identifier=urn:xietong:source:H330100001:order|CT20261203001",
    }


def test_a_cancelled_order_is_revoked_and_omg_is_taken_too() -> None:
    ct, _ = resources(mapped(orm_o01("ORD0002", order_control="CA")).bundle, "ServiceRequest")
    assert ct["status"] == "revoked"
    omg = orm_o01().replace(b"ORM^O01^ORM_O01", b"OMG^O19^OMG_O19")
    assert len(resources(mapped(omg).bundle, "ServiceRequest")) == 2


def test_an_unknown_order_control_is_named() -> None:
    with pytest.raises(HL7Error) as refused:
        mapped(orm_o01(order_control="ZZ"))
    assert (refused.value.where, refused.value.code) == ("ORC-1", 103)
