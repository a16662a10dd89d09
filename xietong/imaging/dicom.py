"""Reading what arrives: a DICOM Part 10 file checked whole (a file cut short is refused,
though pydicom would read what is there), the index's attributes, and the instance's DICOM
JSON without its bulk data."""

from __future__ import annotations

import io
import json
import math
import warnings
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.tag import Tag
from pydicom.uid import UID

PIXEL_DATA = Tag(0x7FE0, 0x0010)
BULK_VRS = frozenset({"OB", "OD", "OF", "OL", "OV", "OW", "UN"})
# Binary values above this size are bulk data: left out of the metadata (WADO-RS answers
# pixel data through frames).
BULK_THRESHOLD = 1024
AVAILABLE_TRANSFER_SYNTAX = "00083002"


class Refusal(StrEnum):
    """Why an instance was not stored: a code for programs, and a sentence for people."""

    NOT_DICOM = "not_dicom"
    TRUNCATED = "truncated"
    MISSING_UID = "missing_uid"
    NO_TRANSFER_SYNTAX = "no_transfer_syntax"
    STUDY_MISMATCH = "study_mismatch"
    STUDY_ELSEWHERE = "study_elsewhere"

    @property
    def message(self) -> str:
        return str(_REFUSAL_MESSAGES[self])


_REFUSAL_MESSAGES = {
    Refusal.NOT_DICOM: _("The file is not a DICOM file."),
    Refusal.TRUNCATED: _("The DICOM file is incomplete: it ends before its data does."),
    Refusal.MISSING_UID: _(
        "The DICOM file lacks its Study, Series or SOP Instance UID, or its SOP Class UID."
    ),
    Refusal.NO_TRANSFER_SYNTAX: _("The DICOM file does not say its transfer syntax."),
    Refusal.STUDY_MISMATCH: _("The instance belongs to another study than the one it was sent to."),
    Refusal.STUDY_ELSEWHERE: _("The study was sent by another institution; you may not add to it."),
}


class Unstorable(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class Parsed:
    dataset: Dataset
    data: bytes
    study_uid: str
    series_uid: str
    sop_uid: str
    sop_class_uid: str
    transfer_syntax: str


def _expected_native_bytes(ds: Dataset) -> int:
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    bits = int(ds.get("BitsAllocated", 8) or 8)
    samples = int(ds.get("SamplesPerPixel", 1) or 1)
    return math.ceil(int(ds.Rows) * int(ds.Columns) * samples * frames * bits / 8)


def _cut_short(ds: Dataset, transfer_syntax: UID, noticed: list[str]) -> bool:
    if any("end of file" in n.lower() or "expected" in n.lower() for n in noticed):
        return True
    if "Rows" not in ds:
        return False  # not an image (a structured report, a presentation state)
    if PIXEL_DATA not in ds and "FloatPixelData" not in ds and "DoubleFloatPixelData" not in ds:
        return True
    if PIXEL_DATA in ds and not transfer_syntax.is_encapsulated:
        return len(ds.PixelData) < _expected_native_bytes(ds)
    return False


def part10_parse(data: bytes) -> Parsed:
    """The file checked and read; Unstorable with the reason when it cannot be kept. A file
    that starts with its file meta group but lacks the preamble (some clients write it so)
    is kept with the preamble added, the rest as sent."""
    if data[:2] == b"\x02\x00" and data[4:6].isalpha():
        data = bytes(128) + b"DICM" + data
    if len(data) < 132 or data[128:132] != b"DICM":
        raise Unstorable(Refusal.NOT_DICOM)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            ds = dcmread(io.BytesIO(data))
        except InvalidDicomError as exc:
            raise Unstorable(Refusal.NOT_DICOM) from exc
        except (EOFError, OSError, ValueError, KeyError, TypeError) as exc:
            raise Unstorable(Refusal.TRUNCATED) from exc
    transfer_syntax = getattr(ds.file_meta, "TransferSyntaxUID", None)
    if not transfer_syntax:
        raise Unstorable(Refusal.NO_TRANSFER_SYNTAX)
    if _cut_short(ds, UID(transfer_syntax), [str(w.message) for w in caught]):
        raise Unstorable(Refusal.TRUNCATED)
    uids = [str(ds.get(k, "") or "").strip() for k in
            ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "SOPClassUID")]  # fmt: skip
    if not all(uids) or any(len(u) > 64 for u in uids):
        raise Unstorable(Refusal.MISSING_UID)
    study, series, sop, sop_class = uids
    return Parsed(ds, data, study, series, sop, sop_class, str(transfer_syntax))


def dataset_part10(ds: Dataset) -> bytes:
    """A dataset (a C-STORE receiver's, with its file meta) as the Part 10 file kept."""
    if not getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None):
        raise Unstorable(Refusal.NO_TRANSFER_SYNTAX)
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def _text(ds: Dataset, keyword: str, limit: int) -> str:
    value = ds.get(keyword, "")
    return ("" if value is None else str(value)).strip()[:limit]


def _int_or_none(ds: Dataset, keyword: str) -> int | None:
    try:
        value = ds.get(keyword)
        return None if value in (None, "") else int(value)
    except (TypeError, ValueError):
        return None


def name_search_key(name: str) -> str:
    """A PatientName as searches compare it: upper case, spaces around components dropped."""
    return "^".join(part.strip() for part in name.split("^")).upper()


def study_fields(ds: Dataset) -> dict[str, Any]:
    name = _text(ds, "PatientName", 200)
    return {
        "dicom_patient_id": _text(ds, "PatientID", 64),
        "patient_name": name,
        "patient_name_search": name_search_key(name),
        "patient_birth_date": _text(ds, "PatientBirthDate", 8),
        "patient_sex": _text(ds, "PatientSex", 16),
        "study_date": _text(ds, "StudyDate", 8),
        "study_time": _text(ds, "StudyTime", 16),
        "accession_number": _text(ds, "AccessionNumber", 16),
        "study_id": _text(ds, "StudyID", 16),
        "study_description": _text(ds, "StudyDescription", 64),
        "referring_physician_name": _text(ds, "ReferringPhysicianName", 200),
    }


def series_fields(ds: Dataset) -> dict[str, Any]:
    return {
        "modality": _text(ds, "Modality", 16).upper(),
        "series_number": _int_or_none(ds, "SeriesNumber"),
        "series_description": _text(ds, "SeriesDescription", 64),
        "body_part": _text(ds, "BodyPartExamined", 16).upper(),
        "series_date": _text(ds, "SeriesDate", 8),
    }


def instance_fields(ds: Dataset) -> dict[str, Any]:
    return {
        "instance_number": _int_or_none(ds, "InstanceNumber"),
        "rows": _int_or_none(ds, "Rows"),
        "columns": _int_or_none(ds, "Columns"),
        "number_of_frames": _int_or_none(ds, "NumberOfFrames") or 1,
    }


def _without_bulk(ds: Dataset) -> Dataset:
    kept = Dataset()
    for element in ds:
        if element.tag == PIXEL_DATA or element.tag.group == 0x0002:
            continue
        if element.VR in BULK_VRS and len(element.value or b"") > BULK_THRESHOLD:
            continue
        if element.VR == "SQ":
            element = _sequence_without_bulk(element)
        kept.add(element)
    return kept


def _sequence_without_bulk(element: Any) -> Any:
    from pydicom.dataelem import DataElement

    return DataElement(element.tag, "SQ", [_without_bulk(item) for item in element.value])


def metadata_json(parsed: Parsed) -> str:
    """The instance as DICOM JSON, bulk data left out, its transfer syntax said: what
    WADO-RS metadata sends for it."""
    document = _without_bulk(parsed.dataset).to_json_dict()
    document[AVAILABLE_TRANSFER_SYNTAX] = {"vr": "UI", "Value": [parsed.transfer_syntax]}
    return json.dumps(dict(sorted(document.items())), ensure_ascii=False, separators=(",", ":"))
