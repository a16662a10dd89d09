"""The HL7 v2 data types every message carries, as FHIR R4 JSON (plain dicts).

Identifier and code systems follow the platform's exchange contract: a resident ID is
`urn:xietong:resident-id`, a hospital's MRN `urn:xietong:mrn:<institution>`, its own record ids
`urn:xietong:source:<institution>:<kind>`, and its code tables `urn:xietong:code:<institution>:
<table>`, kept as extra codings beside the standard ones.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import hl7

from ..hl7v2 import HL7Error, Incoming, reps, value

Json = dict[str, Any]

RESIDENT_ID = "urn:xietong:resident-id"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
LOINC = "http://loinc.org"
# HIS products name their standard code systems in CE-3 in many ways.
STANDARD_SYSTEMS = {
    "LN": LOINC,
    "LOINC": LOINC,
    "I10": ICD10,
    "ICD10": ICD10,
    "ICD-10": ICD10,
    "ICD10CN": ICD10,
    "GB/T14396": ICD10,  # the national edition of ICD-10 (疾病分类与代码)
}
# 18 characters: 17 digits and a check digit or X (GB 11643).
_RESIDENT_ID = re.compile(r"^\d{17}[\dXx]$")
_RESIDENT_TYPES = {"NNCHN", "NI", "ID", "RI", "SFZ"}
_TS = re.compile(r"^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?([+-]\d{4})?$")
# A HIS writes local time; China has one zone, so a time without an offset is Beijing time.
_DEFAULT_OFFSET = "+08:00"


def mrn_system(institution: str) -> str:
    return f"urn:xietong:mrn:{institution}"


def source_system(institution: str, kind: str) -> str:
    return f"urn:xietong:source:{institution}:{kind}"


def code_system(institution: str, table: str) -> str:
    return f"urn:xietong:code:{institution}:{table}"


@dataclass(frozen=True)
class Mapped:
    """One source message as the Bundle the platform receives."""

    message_id: str  # the Bundle's identifier: the idempotency key on the platform
    patient_key: str  # messages with one key are delivered in the order they came
    bundle: Json


@dataclass
class BundleBuilder:
    """Entries of one message's Bundle, with stable `urn:uuid` full URLs.

    The full URLs are derived from the message id, so mapping the same message twice gives
    the same Bundle byte for byte.
    """

    message_id: str
    entries: list[Json] = field(default_factory=list)

    def full_url(self, key: str) -> str:
        return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.message_id}/{key}"))

    def create(self, key: str, resource: Json, identifier: Json) -> str:
        url = self.full_url(key)
        self.entries.append(
            {
                "fullUrl": url,
                "resource": resource,
                "request": {
                    "method": "POST",
                    "url": resource["resourceType"],
                    "ifNoneExist": f"identifier={identifier['system']}|{identifier['value']}",
                },
            }
        )
        return url

    def update(self, key: str, resource: Json, identifier: Json) -> str:
        url = self.full_url(key)
        self.entries.append(
            {
                "fullUrl": url,
                "resource": resource,
                "request": {
                    "method": "PUT",
                    "url": f"{resource['resourceType']}?identifier="
                    f"{identifier['system']}|{identifier['value']}",
                },
            }
        )
        return url

    def bundle(self) -> Json:
        return {
            "resourceType": "Bundle",
            "type": "batch",
            "identifier": {"system": "urn:xietong:gateway-message", "value": self.message_id},
            "entry": self.entries,
        }


def timestamp(text: str, *, segment: str, field: int, date_only: bool = False) -> str | None:
    """An HL7 TS/DTM as a FHIR dateTime (or date); None when empty; HL7Error when malformed."""
    text = text.strip()
    if not text:
        return None
    m = _TS.match(text)
    if not m:
        raise HL7Error(
            f"日期时间格式错误 {text!r} / bad date-time", segment=segment, field=field, code=102
        )
    year, month, day, hour, minute, second, offset = m.groups()
    if (month and not 1 <= int(month) <= 12) or (day and not 1 <= int(day) <= 31):
        raise HL7Error(
            f"日期不存在 {text!r} / no such date", segment=segment, field=field, code=102
        )
    date = "-".join(p for p in (year, month, day) if p)
    if date_only or not hour:
        return date
    tz = f"{offset[:3]}:{offset[3:]}" if offset else _DEFAULT_OFFSET
    return f"{date}T{hour}:{minute or '00'}:{second or '00'}{tz}"


def coding(
    components: list[str], *, institution: str, table: str, segment: str, field: int
) -> Json:
    """A CE/CWE as a CodeableConcept: the standard coding when CE-3 names one, the hospital's
    own coding always (its code and table), text from CE-2."""
    parts = [*components, "", "", "", "", "", ""]
    code, text, system = parts[0].strip(), parts[1].strip(), parts[2].strip()
    alt_code, alt_text, alt_system = parts[3].strip(), parts[4].strip(), parts[5].strip()
    if not code and not text:
        raise HL7Error("缺少编码 / code missing", segment=segment, field=field, code=101)
    codings: list[Json] = []
    for c, t, s in ((code, text, system), (alt_code, alt_text, alt_system)):
        if not c:
            continue
        standard = STANDARD_SYSTEMS.get(s.upper())
        entry: Json = {
            "system": standard or code_system(institution, table),
            "code": c,
        }
        if t:
            entry["display"] = t
        codings.append(entry)
    if codings and not any(x["system"].startswith("urn:xietong:code:") for x in codings):
        # A standard code alone: keep the hospital's own view of it beside, for their reports.
        own: Json = {"system": code_system(institution, table), "code": codings[0]["code"]}
        if text:
            own["display"] = text
        codings.append(own)
    concept: Json = {"coding": codings}
    if text:
        concept["text"] = text
    return concept


@dataclass(frozen=True)
class PatientKey:
    mrn: str
    resident_id: str | None

    def identifier(self, institution: str) -> Json:
        return {"system": mrn_system(institution), "value": self.mrn}


def patient_identifiers(
    incoming: Incoming, pid: hl7.Segment, institution: str
) -> tuple[PatientKey, list[Json]]:
    """PID-3 (repeating CX) as identifiers: the MRN is required, a resident ID kept when sent."""
    mrn = ""
    resident = None
    identifiers: list[Json] = []
    for rep in reps(incoming, pid, 3):
        cx = [*rep, "", "", "", "", ""]
        number, kind = cx[0].strip(), cx[4].strip().upper()
        if not number:
            continue
        if kind in _RESIDENT_TYPES or (kind in {"", "PN"} and _RESIDENT_ID.match(number)):
            if not _RESIDENT_ID.match(number):
                raise HL7Error(
                    f"居民身份证号格式错误 {number!r} / malformed resident ID",
                    segment="PID",
                    field=3,
                    code=102,
                )
            resident = number.upper()
            identifiers.append({"use": "official", "system": RESIDENT_ID, "value": resident})
        elif not mrn and kind in {"MR", "PI", "PT", ""}:
            mrn = number
            identifiers.insert(0, {"use": "usual", "system": mrn_system(institution), "value": mrn})
    if not mrn:
        raise HL7Error(
            "缺少病案号(PID-3 中类型为 MR 的标识)/ patient MRN missing",
            segment="PID",
            field=3,
            code=101,
        )
    return PatientKey(mrn=mrn, resident_id=resident), identifiers


GENDERS = {"M": "male", "F": "female", "O": "other", "A": "other", "U": "unknown", "N": "unknown"}


def patient_resource(
    incoming: Incoming, pid: hl7.Segment, institution: str
) -> tuple[PatientKey, Json]:
    key, identifiers = patient_identifiers(incoming, pid, institution)
    resource: Json = {"resourceType": "Patient", "identifier": identifiers}
    names = []
    for rep in reps(incoming, pid, 5):
        xpn = [*rep, "", "", "", "", "", "", ""]
        family, given = xpn[0].strip(), xpn[1].strip()
        if not family and not given:
            continue
        name: Json = {"use": "official" if xpn[6] in ("", "L") else "usual"}
        # Chinese names are written family then given, without a space.
        name["text"] = family + given if _is_cjk(family + given) else f"{given} {family}".strip()
        if family:
            name["family"] = family
        if given:
            name["given"] = [given]
        names.append(name)
    if not names:
        raise HL7Error("缺少患者姓名 / patient name missing", segment="PID", field=5, code=101)
    resource["name"] = names
    sex = value(incoming, pid, 8).upper()
    if sex:
        if sex not in GENDERS:
            raise HL7Error(
                f"性别代码 {sex!r} 不在 HL7 表 0001 中 / sex not in table 0001",
                segment="PID",
                field=8,
                code=103,
            )
        resource["gender"] = GENDERS[sex]
    born = timestamp(value(incoming, pid, 7), segment="PID", field=7, date_only=True)
    if born:
        resource["birthDate"] = born
    addresses = []
    for rep in reps(incoming, pid, 11):
        xad = [*rep, "", "", "", "", "", "", "", "", ""]
        address: Json = {}
        lines = [x.strip() for x in xad[0:2] if x.strip()]
        if lines:
            address["line"] = lines
        for key_name, i in (("city", 2), ("state", 3), ("postalCode", 4), ("district", 8)):
            if xad[i].strip():
                address[key_name] = xad[i].strip()
        if address:
            address["text"] = "".join(
                address.get(k, "") for k in ("state", "city", "district")
            ) + "".join(lines)
            addresses.append(address)
    if addresses:
        resource["address"] = addresses
    phones = [r[0].strip() for r in reps(incoming, pid, 13) if r and r[0].strip()]
    if phones:
        resource["telecom"] = [{"system": "phone", "value": p} for p in phones]
    return key, resource


def _is_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)
