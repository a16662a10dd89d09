"""CSV exports from systems that can do nothing else: patients and lab results, as Bundles.

The column layouts are in README.md. A file is all or nothing: one bad row and the whole
file is refused with the row and column named, so the hospital fixes it and drops it again.
"""

from __future__ import annotations

import csv
import io
import re

from .common import (
    GENDERS,
    LOINC,
    RESIDENT_ID,
    BundleBuilder,
    Json,
    Mapped,
    code_system,
    mrn_system,
    source_system,
)

PATIENT_COLUMNS = ("mrn", "resident_id", "name", "sex", "birth_date", "phone", "address")
RESULT_COLUMNS = (
    "mrn",
    "name",
    "report_no",
    "item_code",
    "item_name",
    "loinc",
    "value",
    "unit",
    "reference_range",
    "flag",
    "collected_at",
    "reported_at",
)
_REQUIRED = {
    "patients": ("mrn", "name"),
    "results": ("mrn", "report_no", "item_code", "item_name", "value", "collected_at"),
}
_SEX = {"男": "M", "女": "F", "未知": "U", **{k: k for k in GENDERS}}
_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_DATETIME = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")
_RESIDENT = re.compile(r"^\d{17}[\dXx]$")
_RANGE = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*[-~]\s*([-+]?\d+(?:\.\d+)?)\s*$")
_FLAGS = {"H", "L", "N", "A", "HH", "LL", "AA"}


class CsvError(Exception):
    def __init__(self, text: str, *, row: int = 0, column: str = "") -> None:
        super().__init__(text)
        self.text, self.row, self.column = text, row, column

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row else "表头"
        return f"{where}{' ' + self.column if self.column else ''}:{self.text}"


def decode(data: bytes, encoding: str | None = None) -> str:
    """UTF-8 (with or without a BOM) or GB18030, the two a Chinese Excel writes."""
    if encoding:
        return data.decode(encoding)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def kind_of(header: list[str]) -> str:
    names = {h.strip().lower() for h in header}
    if "report_no" in names:
        return "results"
    if "mrn" in names:
        return "patients"
    raise CsvError("表头既不是患者也不是检验结果的列 / unknown column layout")


def map_csv(text: str, *, institution: str, file_id: str) -> list[Mapped]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise CsvError("文件为空 / empty file")
    header = [h.strip().lower() for h in rows[0]]
    kind = kind_of(header)
    unknown = [
        h for h in header if h not in (PATIENT_COLUMNS if kind == "patients" else RESULT_COLUMNS)
    ]
    if unknown:
        raise CsvError(f"未知的列 {', '.join(unknown)} / unknown columns", column=unknown[0])
    for column in _REQUIRED[kind]:
        if column not in header:
            raise CsvError("缺少必需的列 / required column missing", column=column)
    records = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise CsvError(f"有 {len(row)} 列,表头有 {len(header)} 列 / column count", row=n)
        record = {h: cell.strip() for h, cell in zip(header, row, strict=True)}
        for column in _REQUIRED[kind]:
            if not record.get(column):
                raise CsvError("不能为空 / required", row=n, column=column)
        records.append((n, record))
    if kind == "patients":
        return [_patient_message(n, r, institution, file_id) for n, r in records]
    return _result_messages(records, institution, file_id)


def _patient(n: int, record: dict[str, str], institution: str) -> Json:
    patient: Json = {
        "resourceType": "Patient",
        "identifier": [{"use": "usual", "system": mrn_system(institution), "value": record["mrn"]}],
    }
    if record.get("name"):
        patient["name"] = [{"use": "official", "text": record["name"]}]
    resident = record.get("resident_id", "")
    if resident:
        if not _RESIDENT.match(resident):
            raise CsvError(
                "居民身份证号格式错误 / malformed resident ID", row=n, column="resident_id"
            )
        patient["identifier"].append(
            {"use": "official", "system": RESIDENT_ID, "value": resident.upper()}
        )
    sex = record.get("sex", "")
    if sex:
        if sex.upper() not in _SEX and sex not in _SEX:
            raise CsvError(f"性别 {sex!r} 应为 男/女/M/F", row=n, column="sex")
        patient["gender"] = GENDERS[_SEX.get(sex) or _SEX[sex.upper()]]
    born = record.get("birth_date", "")
    if born:
        m = _DATE.match(born)
        if not m:
            raise CsvError(f"日期 {born!r} 应为 YYYY-MM-DD", row=n, column="birth_date")
        patient["birthDate"] = f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
    if record.get("phone"):
        patient["telecom"] = [{"system": "phone", "value": record["phone"]}]
    if record.get("address"):
        patient["address"] = [{"text": record["address"]}]
    return patient


def _patient_message(n: int, record: dict[str, str], institution: str, file_id: str) -> Mapped:
    builder = BundleBuilder(message_id=f"{institution}:CSV:{file_id}:{n}")
    patient = _patient(n, record, institution)
    builder.update("patient", patient, patient["identifier"][0])
    return Mapped(builder.message_id, f"{institution}|{record['mrn']}", builder.bundle())


def _datetime(text: str, n: int, column: str) -> str:
    m = _DATETIME.match(text)
    if not m:
        raise CsvError(f"时间 {text!r} 应为 YYYY-MM-DD HH:MM", row=n, column=column)
    second = m[6] or "00"
    return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}T{int(m[4]):02d}:{m[5]}:{second}+08:00"


def _result_messages(
    records: list[tuple[int, dict[str, str]]], institution: str, file_id: str
) -> list[Mapped]:
    """One message per report: its rows become the report's Observations."""
    reports: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for n, record in records:
        reports.setdefault(record["report_no"], []).append((n, record))
    out = []
    for report_no, rows in reports.items():
        first_n, first = rows[0]
        if any(r["mrn"] != first["mrn"] for _, r in rows):
            raise CsvError(
                "同一报告单号属于不同患者 / one report, two patients", row=rows[-1][0], column="mrn"
            )
        builder = BundleBuilder(message_id=f"{institution}:CSV:{file_id}:{report_no}")
        patient = _patient(first_n, first, institution)
        patient_url = builder.create("patient", patient, patient["identifier"][0])
        report_id = {"system": source_system(institution, "report"), "value": report_no}
        report: Json = {
            "resourceType": "DiagnosticReport",
            "identifier": [report_id],
            "status": "final",
            "category": [
                {
                    "coding": [
                        {"system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "LAB"}
                    ]
                }
            ],
            "code": {"text": "检验报告"},
            "subject": {"reference": patient_url},
            "effectiveDateTime": _datetime(first["collected_at"], first_n, "collected_at"),
            "result": [],
        }
        if first.get("reported_at"):
            report["issued"] = _datetime(first["reported_at"], first_n, "reported_at")
        builder.update(f"report/{report_no}", report, report_id)
        for n, r in rows:
            url = _observation(builder, n, r, institution, patient_url, report_no)
            report["result"].append({"reference": url})
        out.append(Mapped(builder.message_id, f"{institution}|{first['mrn']}", builder.bundle()))
    return out


def _observation(
    builder: BundleBuilder,
    n: int,
    r: dict[str, str],
    institution: str,
    patient_url: str,
    report_no: str,
) -> str:
    codings: list[Json] = []
    if r.get("loinc"):
        codings.append({"system": LOINC, "code": r["loinc"], "display": r["item_name"]})
    codings.append(
        {
            "system": code_system(institution, "lab-item"),
            "code": r["item_code"],
            "display": r["item_name"],
        }
    )
    identifier = {
        "system": source_system(institution, "result"),
        "value": f"{report_no}-{r['item_code']}",
    }
    observation: Json = {
        "resourceType": "Observation",
        "identifier": [identifier],
        "status": "final",
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
        "code": {"coding": codings, "text": r["item_name"]},
        "subject": {"reference": patient_url},
        "effectiveDateTime": _datetime(r["collected_at"], n, "collected_at"),
    }
    unit = r.get("unit", "")
    try:
        number = float(r["value"])
    except ValueError:
        if unit:
            raise CsvError(
                f"有单位的结果应为数字,不是 {r['value']!r}", row=n, column="value"
            ) from None
        observation["valueString"] = r["value"]
    else:
        quantity: Json = {
            "value": int(number) if number.is_integer() and "." not in r["value"] else number
        }
        if unit:
            quantity.update({"unit": unit, "system": "http://unitsofmeasure.org", "code": unit})
        observation["valueQuantity"] = quantity
    if r.get("reference_range"):
        m = _RANGE.match(r["reference_range"])
        rr: Json = {"text": r["reference_range"]}
        if m:
            rr["low"] = {"value": float(m[1]), **({"unit": unit} if unit else {})}
            rr["high"] = {"value": float(m[2]), **({"unit": unit} if unit else {})}
        observation["referenceRange"] = [rr]
    flag = r.get("flag", "").upper()
    if flag:
        if flag not in _FLAGS:
            raise CsvError(f"标志 {flag!r} 应为 H/L/N/A/HH/LL", row=n, column="flag")
        observation["interpretation"] = [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                        "code": flag,
                    }
                ]
            }
        ]
    return builder.update(f"observation/{identifier['value']}", observation, identifier)
