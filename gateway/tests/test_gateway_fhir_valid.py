"""Every Bundle the gateway maps is valid FHIR R4, checked by an independent library.

fhir.resources (the platform's validator, in the development environment only: the gateway
itself does not depend on it). Its R4B models have R4's shapes.
"""

from __future__ import annotations

import json

import pytest
from fhir.resources.R4B.bundle import Bundle
from gateway_messages import INSTITUTION, adt_a01, orm_o01, oru_r01
from test_gateway_dropfolder import PATIENTS, RESULTS
from xt_gateway import hl7v2
from xt_gateway.mapping import map_message
from xt_gateway.mapping.csvfiles import map_csv

A40 = "\r".join(
    [
        "MSH|^~\\&|HIS|H|XT|XT|20261203||ADT^A40^ADT_A39|M1|P|2.5||||||GB18030",
        "PID|1||0012345^^^HZ1^MR||王^小明||19800101|M",
        "MRG|0099887^^^HZ1^MR",
    ]
).encode("gb18030")


@pytest.mark.parametrize(
    "raw",
    [
        adt_a01(),
        adt_a01().replace(b"ADT^A01^ADT_A01", b"ADT^A04^ADT_A01").replace(b"|I|", b"|O|"),
        adt_a01()
        .replace(b"ADT^A01^ADT_A01", b"ADT^A03^ADT_A03")
        .replace(b"20261201080000", b"20261201080000|20261210093000"),
        A40,
        oru_r01(),
        orm_o01(),
        orm_o01(order_control="CA"),
    ],
    ids=["A01", "A04", "A03", "A40", "R01", "O01", "O01-cancel"],
)
def test_hl7_bundles_are_valid_r4(raw: bytes) -> None:
    bundle = map_message(hl7v2.parse(raw, default_encoding="gb18030"), INSTITUTION).bundle
    parsed = Bundle.model_validate_json(json.dumps(bundle))
    assert parsed.type == "batch"
    assert len(parsed.entry or []) == len(bundle["entry"])


def test_csv_bundles_are_valid_r4() -> None:
    for text in (PATIENTS, RESULTS):
        for mapped in map_csv(text, institution=INSTITUTION, file_id="f"):
            Bundle.model_validate_json(json.dumps(mapped.bundle))


def test_the_validator_does_refuse_a_broken_bundle() -> None:
    bundle = map_message(hl7v2.parse(oru_r01(), default_encoding="gb18030"), INSTITUTION).bundle
    bundle["entry"][2]["resource"]["valueQuantity"]["value"] = "five"
    with pytest.raises(ValueError, match="value"):
        Bundle.model_validate_json(json.dumps(bundle))


def test_pass_through_bundles_are_valid_r4() -> None:
    from test_gateway_fhir_pass import glucose, patient
    from xt_gateway.mapping.fhirpass import map_bundle, map_resource

    batch = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {"fullUrl": "urn:uuid:p", "resource": patient("0201")},
            {"resource": glucose("R201", subject="urn:uuid:p")},
        ],
    }
    mapped = [map_resource(patient("0200"), institution=INSTITUTION)]
    mapped += map_bundle(batch, institution=INSTITUTION)
    mapped += map_bundle({**batch, "type": "transaction"}, institution=INSTITUTION)
    for m in mapped:
        Bundle.model_validate_json(json.dumps(m.bundle))
    assert [len(m.bundle["entry"]) for m in mapped] == [1, 1, 1, 2]
