"""ORM^O01 / OMG^O19 (orders): a ServiceRequest per ORC with the OBR that details it."""

from __future__ import annotations

import hl7

from ..hl7v2 import HL7Error, Incoming, reps, value
from .common import (
    BundleBuilder,
    Json,
    PatientKey,
    code_system,
    coding,
    patient_resource,
    source_system,
    timestamp,
)

# ORC-1 order control (table 0119) -> ServiceRequest.status; SC (status changed) reads ORC-5.
_CONTROL = {
    "NW": "active",
    "XO": "active",
    "RP": "active",
    "OK": "active",
    "CA": "revoked",
    "OC": "revoked",
    "DC": "revoked",
    "OD": "revoked",
    "HD": "on-hold",
    "OH": "on-hold",
    "RL": "active",
}
# ORC-5 order status (table 0038).
_ORDER_STATUS = {
    "IP": "active",
    "SC": "active",
    "A": "active",
    "CM": "completed",
    "CA": "revoked",
    "DC": "revoked",
    "HD": "on-hold",
}
# TQ-6 / ORC-7.6 priority.
_PRIORITY = {"S": "stat", "A": "asap", "R": "routine", "P": "routine", "T": "urgent"}
_SECTION = {"LAB": "108252007", "HM": "108252007", "CH": "108252007", "MB": "108252007"}


def map_orm(incoming: Incoming, institution: str, builder: BundleBuilder) -> PatientKey:
    pid = incoming.first("PID")
    assert pid is not None
    key, patient = patient_resource(incoming, pid, institution)
    # An ordering system's demographics are a copy: create if unknown, never overwrite.
    patient_url = builder.create("patient", patient, key.identifier(institution))
    pv1 = incoming.first("PV1", required=False)
    visit = value(incoming, pv1, 19) if pv1 is not None else ""
    order: hl7.Segment | None = None
    pairs: list[tuple[hl7.Segment, hl7.Segment | None]] = []
    for segment in incoming.message:
        name = str(segment[0])
        if name == "ORC":
            if order is not None:
                pairs.append((order, None))
            order = segment
        elif name == "OBR":
            if order is None:
                raise HL7Error("OBR 出现在 ORC 之前 / OBR before ORC", segment="OBR", code=100)
            pairs.append((order, segment))
            order = None
    if order is not None:
        pairs.append((order, None))
    if not pairs:
        raise HL7Error("缺少 ORC 段 / segment ORC is missing", segment="ORC", code=100)
    for orc, obr in pairs:
        _request(incoming, institution, builder, orc, obr, patient_url, visit)
    return key


def _request(
    incoming: Incoming,
    institution: str,
    builder: BundleBuilder,
    orc: hl7.Segment,
    obr: hl7.Segment | None,
    patient_url: str,
    visit: str,
) -> None:
    control = value(incoming, orc, 1).upper()
    if control not in _CONTROL and control != "SC":
        raise HL7Error(
            f"医嘱控制码 {control!r} 不在 HL7 表 0119 中 / order control not in table 0119",
            segment="ORC",
            field=1,
            code=103,
        )
    status = _CONTROL.get(control) or _ORDER_STATUS.get(value(incoming, orc, 5).upper(), "active")
    placer = value(incoming, orc, 2) or (value(incoming, obr, 2) if obr is not None else "")
    if not placer:
        raise HL7Error("缺少医嘱号 / placer order number missing", segment="ORC", field=2, code=101)
    identifier = {"system": source_system(institution, "order"), "value": placer}
    request: Json = {
        "resourceType": "ServiceRequest",
        "identifier": [identifier],
        "status": status,
        "intent": "order",
        "subject": {"reference": patient_url},
    }
    code_reps = reps(incoming, obr, 4) if obr is not None else []
    if code_reps:
        request["code"] = coding(
            code_reps[0], institution=institution, table="order-item", segment="OBR", field=4
        )
    elif control == "NW":
        raise HL7Error("新医嘱缺少项目 / new order without item", segment="OBR", field=4, code=101)
    if obr is not None:
        section = value(incoming, obr, 24).upper()
        if section:
            category: Json = {
                "coding": [{"system": code_system(institution, "section"), "code": section}]
            }
            if section in _SECTION:
                category["coding"].insert(
                    0, {"system": "http://snomed.info/sct", "code": _SECTION[section]}
                )
            request["category"] = [category]
        # OBR-13, relevant clinical information: why the doctor asks, as they wrote it.
        reason = value(incoming, obr, 13)
        if reason:
            request["reasonCode"] = [{"text": reason}]
    priority = (
        value(incoming, orc, 7, 6) or (value(incoming, obr, 27, 6) if obr is not None else "")
    ).upper()
    if priority:
        if priority not in _PRIORITY:
            raise HL7Error(
                f"优先级 {priority!r} 无法识别 / unknown priority", segment="ORC", field=7, code=103
            )
        request["priority"] = _PRIORITY[priority]
    authored = timestamp(value(incoming, orc, 9), segment="ORC", field=9)
    if authored:
        request["authoredOn"] = authored
    doctor = reps(incoming, orc, 12)
    if doctor:
        xcn = [*doctor[0], "", ""]
        request["requester"] = {
            "display": (xcn[1] + xcn[2]).strip() or xcn[0].strip(),
            "identifier": {
                "system": source_system(institution, "practitioner"),
                "value": xcn[0].strip(),
            },
        }
    if visit:
        # The visit is the HIS's: named by its number, resolved by the platform if it knows it.
        request["encounter"] = {
            "identifier": {"system": source_system(institution, "visit"), "value": visit}
        }
    filler = value(incoming, orc, 3) or (value(incoming, obr, 3) if obr is not None else "")
    if filler:
        request["identifier"].append(
            {"system": source_system(institution, "filler-order"), "value": filler}
        )
    builder.update(f"order/{placer}", request, identifier)
