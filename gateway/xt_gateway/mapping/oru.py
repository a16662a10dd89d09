"""ORU^R01 (results): a DiagnosticReport per OBR with an Observation per OBX under it."""

from __future__ import annotations

import re

import hl7

from ..hl7v2 import HL7Error, Incoming, reps, value
from .common import (
    BundleBuilder,
    Json,
    PatientKey,
    coding,
    patient_resource,
    source_system,
    timestamp,
)

_OBS_STATUS = {
    "F": "final",
    "C": "corrected",
    "P": "preliminary",
    "R": "preliminary",
    "I": "registered",
    "X": "cancelled",
    "D": "entered-in-error",
    "W": "entered-in-error",
    "A": "amended",
}
_REPORT_STATUS = {
    "F": "final",
    "C": "corrected",
    "P": "preliminary",
    "R": "partial",
    "I": "registered",
    "X": "cancelled",
    "A": "amended",
    "O": "registered",
    "S": "partial",
}
# OBX-8 abnormal flags (table 0078) -> the v3 ObservationInterpretation codes (same letters).
_FLAGS = {
    "H": "高",
    "L": "低",
    "HH": "危急高",
    "LL": "危急低",
    "N": "正常",
    "A": "异常",
    "AA": "危急异常",
}
_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
_RANGE = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*[-~—]\s*([-+]?\d+(?:\.\d+)?)\s*$")
_BOUND = re.compile(r"^\s*([<>]=?)\s*([-+]?\d+(?:\.\d+)?)\s*$")
_UCUM = "http://unitsofmeasure.org"


def map_oru(incoming: Incoming, institution: str, builder: BundleBuilder) -> PatientKey:
    pid = incoming.first("PID")
    assert pid is not None
    key, patient = patient_resource(incoming, pid, institution)
    # A lab system's demographics are a copy: create the patient if unknown, never overwrite.
    patient_url = builder.create("patient", patient, key.identifier(institution))
    report: Json | None = None
    report_code = ""
    for segment in incoming.message:
        name = str(segment[0])
        if name == "OBR":
            report, report_code = _report(incoming, institution, builder, segment, patient_url)
        elif name == "OBX":
            if report is None:
                raise HL7Error("OBX 出现在 OBR 之前 / OBX before OBR", segment="OBX", code=100)
            url = _observation(
                incoming, institution, builder, segment, patient_url, report, report_code
            )
            report.setdefault("result", []).append({"reference": url})
    if report is None:
        raise HL7Error("缺少 OBR 段 / segment OBR is missing", segment="OBR", code=100)
    return key


def _report(
    incoming: Incoming, institution: str, builder: BundleBuilder, obr: hl7.Segment, patient_url: str
) -> tuple[Json, str]:
    filler = value(incoming, obr, 3) or value(incoming, obr, 2)
    if not filler:
        raise HL7Error("缺少检验单号 / order number missing", segment="OBR", field=3, code=101)
    code_reps = reps(incoming, obr, 4)
    if not code_reps:
        raise HL7Error("缺少检验项目 / test code missing", segment="OBR", field=4, code=101)
    identifier = {"system": source_system(institution, "report"), "value": filler}
    status = value(incoming, obr, 25).upper() or "F"
    if status not in _REPORT_STATUS:
        raise HL7Error(
            f"结果状态 {status!r} 不在 HL7 表 0123 中", segment="OBR", field=25, code=103
        )
    report: Json = {
        "resourceType": "DiagnosticReport",
        "identifier": [identifier],
        "status": _REPORT_STATUS[status],
        "category": [
            {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "LAB"}]}
        ],
        "code": coding(
            code_reps[0], institution=institution, table="lab-panel", segment="OBR", field=4
        ),
        "subject": {"reference": patient_url},
    }
    placer = value(incoming, obr, 2)
    if placer:
        report["basedOn"] = [
            {"identifier": {"system": source_system(institution, "order"), "value": placer}}
        ]
    effective = timestamp(value(incoming, obr, 7), segment="OBR", field=7)
    if effective:
        report["effectiveDateTime"] = effective
    issued = timestamp(value(incoming, obr, 22), segment="OBR", field=22)
    if issued:
        report["issued"] = issued
    builder.update(f"report/{filler}", report, identifier)
    return report, filler


def _observation(
    incoming: Incoming,
    institution: str,
    builder: BundleBuilder,
    obx: hl7.Segment,
    patient_url: str,
    report: Json,
    filler: str,
) -> str:
    code_reps = reps(incoming, obx, 3)
    if not code_reps:
        raise HL7Error(
            "缺少检验指标编码 / observation code missing", segment="OBX", field=3, code=101
        )
    code = coding(code_reps[0], institution=institution, table="lab-item", segment="OBX", field=3)
    set_id = value(incoming, obx, 1) or str(len(builder.entries))
    item = code_reps[0][0].strip() or set_id
    identifier = {"system": source_system(institution, "result"), "value": f"{filler}-{item}"}
    status = value(incoming, obx, 11).upper() or "F"
    if status not in _OBS_STATUS:
        raise HL7Error(
            f"结果状态 {status!r} 不在 HL7 表 0085 中", segment="OBX", field=11, code=103
        )
    observation: Json = {
        "resourceType": "Observation",
        "identifier": [identifier],
        "status": _OBS_STATUS[status],
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "laboratory",
                    }
                ]
            }
        ],
        "code": code,
        "subject": {"reference": patient_url},
    }
    observation.update(_value(incoming, obx, institution))
    unit = value(incoming, obx, 6)
    low_high = _range(value(incoming, obx, 7), unit)
    if low_high:
        observation["referenceRange"] = [low_high]
    flags = [r[0].strip().upper() for r in reps(incoming, obx, 8) if r and r[0].strip()]
    if flags:
        observation["interpretation"] = [
            {
                "coding": [{"system": _INTERPRETATION, "code": f}],
                **({"text": _FLAGS[f]} if f in _FLAGS else {}),
            }
            for f in flags
        ]
    when = timestamp(value(incoming, obx, 14), segment="OBX", field=14)
    when = when or report.get("effectiveDateTime")
    if when:
        observation["effectiveDateTime"] = when
    return builder.update(f"observation/{identifier['value']}", observation, identifier)


def _value(incoming: Incoming, obx: hl7.Segment, institution: str) -> Json:
    kind = value(incoming, obx, 2).upper()
    found = reps(incoming, obx, 5)
    if not found:
        return {}
    raw = found[0]
    if kind in {"NM", "SN"}:
        text = raw[0].strip() if kind == "NM" else "".join(raw[:2]).strip()
        try:
            number = float(text)
        except ValueError as exc:
            raise HL7Error(
                f"数值结果不是数字 {text!r} / numeric result is not a number",
                segment="OBX",
                field=5,
                code=102,
            ) from exc
        quantity: Json = {
            "value": int(number) if number.is_integer() and "." not in text else number
        }
        unit = value(incoming, obx, 6)
        if unit:
            quantity.update({"unit": unit, "system": _UCUM, "code": unit})
        return {"valueQuantity": quantity}
    if kind in {"CE", "CWE"}:
        return {
            "valueCodeableConcept": coding(
                raw, institution=institution, table="lab-answer", segment="OBX", field=5
            )
        }
    if kind in {"ST", "TX", "FT", ""}:
        # A repeating text result is one text in lines (TX/FT).
        return {"valueString": "\n".join(r[0] for r in found)}
    raise HL7Error(
        f"不支持的结果类型 {kind!r} / unsupported value type", segment="OBX", field=2, code=103
    )


def _range(text: str, unit: str) -> Json | None:
    def q(v: str) -> Json:
        number = float(v)
        out: Json = {"value": int(number) if number.is_integer() and "." not in v else number}
        if unit:
            out.update({"unit": unit, "system": _UCUM, "code": unit})
        return out

    if not text.strip():
        return None
    m = _RANGE.match(text)
    if m:
        return {"low": q(m.group(1)), "high": q(m.group(2)), "text": text.strip()}
    m = _BOUND.match(text)
    if m:
        return {
            ("high" if m.group(1).startswith("<") else "low"): q(m.group(2)),
            "text": text.strip(),
        }
    return {"text": text.strip()}
