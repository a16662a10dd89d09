"""ADT (admit, discharge, register, update, merge) as Patient, Encounter and Condition."""

from __future__ import annotations

import hl7

from ..hl7v2 import HL7Error, Incoming, reps, value
from .common import (
    ICD10,
    BundleBuilder,
    Json,
    PatientKey,
    coding,
    mrn_system,
    patient_resource,
    source_system,
    timestamp,
)

# PV1-2 (table 0004) -> the v3 ActCode an Encounter.class takes.
_CLASSES = {
    "I": ("IMP", "inpatient encounter"),
    "O": ("AMB", "ambulatory"),
    "E": ("EMER", "emergency"),
    "P": ("PRENC", "pre-admission"),
}
_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
# What each event says about the visit.
_STATUS = {"A01": "in-progress", "A04": "arrived", "A08": None, "A03": "finished"}


def map_adt(incoming: Incoming, institution: str, builder: BundleBuilder) -> PatientKey:
    pid = incoming.first("PID")
    assert pid is not None
    key, patient = patient_resource(incoming, pid, institution)
    if incoming.event == "A40":
        return _merge(incoming, institution, builder, key, patient)
    # Demographics from the HIS are the hospital's truth: the latest message replaces them.
    patient_url = builder.update("patient", patient, key.identifier(institution))
    pv1 = incoming.first("PV1", required=incoming.event != "A08")
    if pv1 is None:
        return key
    encounter = _encounter(incoming, institution, builder, pv1, patient_url)
    for dg1 in incoming.segments("DG1"):
        _condition(incoming, institution, builder, dg1, patient_url, encounter)
    return key


def _encounter(
    incoming: Incoming, institution: str, builder: BundleBuilder, pv1: hl7.Segment, patient_url: str
) -> tuple[str, str] | None:
    """The visit's Encounter: its full URL and the HIS's visit number."""
    visit = value(incoming, pv1, 19)
    if not visit:
        if incoming.event == "A08":
            return None  # a demographics update may carry no visit
        raise HL7Error("缺少就诊号 / visit number missing", segment="PV1", field=19, code=101)
    kind = value(incoming, pv1, 2).upper()
    if kind not in _CLASSES:
        raise HL7Error(
            f"患者类别 {kind!r} 不在 HL7 表 0004 中 / patient class not in table 0004",
            segment="PV1",
            field=2,
            code=103,
        )
    act, display = _CLASSES[kind]
    identifier = {"system": source_system(institution, "visit"), "value": visit}
    encounter: Json = {
        "resourceType": "Encounter",
        "identifier": [identifier],
        "status": _STATUS.get(incoming.event) or "in-progress",
        "class": {"system": _ACT_CODE, "code": act, "display": display},
        "subject": {"reference": patient_url},
    }
    start = timestamp(value(incoming, pv1, 44), segment="PV1", field=44)
    end = timestamp(value(incoming, pv1, 45), segment="PV1", field=45)
    if incoming.event == "A03" and not end:
        raise HL7Error(
            "出院消息缺少出院时间 / discharge time missing", segment="PV1", field=45, code=101
        )
    period = {k: v for k, v in (("start", start), ("end", end)) if v}
    if period:
        encounter["period"] = period
    location = [r for r in reps(incoming, pv1, 3) if r]
    if location:
        loc = [*location[0], "", "", ""]
        # PL: point of care (ward) ^ room ^ bed; kept as the hospital wrote it.
        text = " ".join(x.strip() for x in loc[:3] if x.strip())
        encounter["location"] = [{"location": {"display": text}}]
    department = value(incoming, pv1, 10)
    if department:
        encounter["serviceType"] = coding(
            [department], institution=institution, table="department", segment="PV1", field=10
        )
    doctor = reps(incoming, pv1, 7)
    if doctor:
        xcn = [*doctor[0], "", ""]
        name = (xcn[1] + xcn[2]).strip() or xcn[0].strip()
        encounter["participant"] = [
            {
                "type": [{"text": "主治医师"}],
                "individual": {
                    "display": name,
                    "identifier": {
                        "system": source_system(institution, "practitioner"),
                        "value": xcn[0].strip(),
                    },
                },
            }
        ]
    return builder.update(f"encounter/{visit}", encounter, identifier), visit


def _condition(
    incoming: Incoming,
    institution: str,
    builder: BundleBuilder,
    dg1: hl7.Segment,
    patient_url: str,
    encounter: tuple[str, str] | None,
) -> None:
    components = reps(incoming, dg1, 3)
    if not components:
        raise HL7Error("诊断缺少编码 / diagnosis code missing", segment="DG1", field=3, code=101)
    code = coding(components[0], institution=institution, table="diagnosis", segment="DG1", field=3)
    # A HIS often writes ICD-10 codes without naming the system in DG1-3: DG1-2 says it.
    if value(incoming, dg1, 2).upper() in {"I10", "ICD10"}:
        code["coding"][0]["system"] = ICD10
    set_id = value(incoming, dg1, 1) or str(len(builder.entries))
    # The HIS numbers a visit's diagnoses (DG1-1): visit and number name one diagnosis, so
    # a later A08 with the same diagnoses updates them rather than adding copies.
    owner = encounter[1] if encounter else incoming.control_id
    identifier = {"system": source_system(institution, "diagnosis"), "value": f"{owner}-{set_id}"}
    condition: Json = {
        "resourceType": "Condition",
        "identifier": [identifier],
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "verificationStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                    "code": "confirmed"
                    if value(incoming, dg1, 6).upper() == "F"
                    else "provisional",
                }
            ]
        },
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                        "code": "encounter-diagnosis",
                    }
                ]
            }
        ],
        "code": code,
        "subject": {"reference": patient_url},
    }
    if encounter is not None:
        condition["encounter"] = {"reference": encounter[0]}
    recorded = timestamp(value(incoming, dg1, 5), segment="DG1", field=5)
    if recorded:
        condition["recordedDate"] = recorded
    builder.update(f"condition/{identifier['value']}", condition, identifier)


def _merge(
    incoming: Incoming, institution: str, builder: BundleBuilder, key: PatientKey, patient: Json
) -> PatientKey:
    """A40: the MRN in MRG-1 was the same person as PID's; the survivor replaces it."""
    mrg = incoming.first("MRG")
    assert mrg is not None
    prior = value(incoming, mrg, 1)
    if not prior:
        raise HL7Error("缺少被合并的病案号 / prior MRN missing", segment="MRG", field=1, code=101)
    if prior == key.mrn:
        raise HL7Error(
            "被合并的病案号与保留的相同 / prior MRN equals the surviving one",
            segment="MRG",
            field=1,
            code=102,
        )
    prior_identifier = {"system": mrn_system(institution), "value": prior}
    patient["link"] = [{"other": {"identifier": prior_identifier}, "type": "replaces"}]
    builder.update("patient", patient, key.identifier(institution))
    builder.update(
        "patient/prior",
        {
            "resourceType": "Patient",
            "identifier": [{"use": "old", **prior_identifier}],
            "active": False,
            "link": [{"other": {"identifier": key.identifier(institution)}, "type": "replaced-by"}],
        },
        prior_identifier,
    )
    return key
