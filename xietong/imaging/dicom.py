"""Reading what arrives: a DICOM Part 10 file checked whole (a file cut short is refused,
though pydicom would read what is there), the index's attributes, and the instance's DICOM
JSON without its bulk data."""

from __future__ import annotations

import io
import json
import math
import struct
import warnings
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _
from pydicom import dcmread
from pydicom.dataelem import RawDataElement
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
    # The elements as read (raw, before conversion): what the metadata cache is keyed by.
    elements: tuple[tuple[Any, Any], ...] = ()


class _Unusual(Exception):
    """The element is not one _read can take from its bytes: pydicom reads it."""


# The few elements read on every instance, by tag: their keyword and VR.
_READ = {
    0x0020000D: ("StudyInstanceUID", "UI"),
    0x0020000E: ("SeriesInstanceUID", "UI"),
    0x00080018: ("SOPInstanceUID", "UI"),
    0x00080016: ("SOPClassUID", "UI"),
    0x00200013: ("InstanceNumber", "IS"),
    0x00280008: ("NumberOfFrames", "IS"),
    0x00280010: ("Rows", "US"),
    0x00280011: ("Columns", "US"),
    0x00280100: ("BitsAllocated", "US"),
    0x00280002: ("SamplesPerPixel", "US"),
}


def _from_bytes(raw: Any, vr: str) -> Any:
    value = raw.value
    if not isinstance(raw, RawDataElement) or not isinstance(value, bytes):
        raise _Unusual
    if raw.VR not in (None, vr):  # None: implicit VR, the dictionary's (which is `vr`)
        raise _Unusual
    if vr == "US":
        if len(value) != 2:
            raise _Unusual
        return struct.unpack("<H" if raw.is_little_endian else ">H", value)[0]
    try:
        text = value.decode("ascii")
    except UnicodeDecodeError as exc:
        raise _Unusual from exc
    if "\\" in text:  # several values
        raise _Unusual
    if vr == "UI":
        return text.rstrip("\0").strip()
    text = text.strip()  # IS
    if not text:
        return None
    try:
        return int(text)
    except ValueError as exc:  # "12.0" and the like: pydicom's reading
        raise _Unusual from exc


def _read(ds: Dataset, tag: int, default: Any = None) -> Any:
    """The value of one of the _READ elements, taken from its bytes as received when they
    are plain (a UID, an integer string, an unsigned short): pydicom's conversion of each,
    which costs more than the rest of the header's reading, is left to the elements that
    need it. Else pydicom's value. The element is not converted in the dataset, so the
    metadata's cache still sees its bytes."""
    raw = ds._dict.get(Tag(tag))  # the elements as read
    if raw is None:
        return default
    try:
        value = _from_bytes(raw, _READ[tag][1])
    except _Unusual:
        value = ds.get(_READ[tag][0], default)
    return default if value is None else value


def _expected_native_bytes(ds: Dataset) -> int:
    frames = int(_read(ds, 0x00280008, 1) or 1)
    bits = int(_read(ds, 0x00280100, 8) or 8)
    samples = int(_read(ds, 0x00280002, 1) or 1)
    rows, columns = _read(ds, 0x00280010), _read(ds, 0x00280011)
    return math.ceil(int(rows) * int(columns) * samples * frames * bits / 8)


_PIXEL_TAGS = {0x7FE00010, 0x7FE00009, 0x7FE00008}
_LONG_VRS = frozenset({b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"UC", b"UN", b"UR", b"UT"})
_ITEM, _SEQUENCE_END = 0xFFFEE000, 0xFFFEE0DD


def _pixels_extent(ds: Dataset, data: bytes, at: int, little: bool, implicit: bool) -> bool:
    """Whether the pixel data element starting at `at` (read only as far as its header) is
    whole in `data`: its declared length there, or for encapsulated pixel data every
    fragment up to the sequence delimiter. Native pixel data must also hold every frame the
    header announces."""
    order = "<" if little else ">"
    if len(data) < at + 8:
        return False
    group, element = struct.unpack_from(order + "HH", data, at)
    tag = group << 16 | element
    if implicit:
        (length,), start = struct.unpack_from(order + "L", data, at + 4), at + 8
    elif data[at + 4 : at + 6] in _LONG_VRS:
        if len(data) < at + 12:
            return False
        (length,), start = struct.unpack_from(order + "L", data, at + 8), at + 12
    else:
        (length,), start = struct.unpack_from(order + "H", data, at + 6), at + 8
    if length != 0xFFFFFFFF:
        if start + length > len(data):
            return False
        if tag != 0x7FE00010 or "Rows" not in ds:  # not an image, or float pixel data
            return True
        try:
            return length >= _expected_native_bytes(ds)
        except (AttributeError, TypeError, ValueError):  # a header it cannot be judged by
            return True
    position = start  # encapsulated: items until the sequence delimiter
    while position + 8 <= len(data):
        item_group, item_element, item_length = struct.unpack_from(order + "HHL", data, position)
        item = item_group << 16 | item_element
        if item == _SEQUENCE_END:
            return True
        if item != _ITEM:
            return False
        position += 8 + item_length
    return False


def _header_read(data: bytes) -> tuple[Dataset, list[str], bool | None]:
    """The dataset read up to its pixel data (the bulk of an image is never parsed); the
    warnings pydicom gave; and whether the pixel data that follows is whole (None when the
    file has none, or is deflated and so was read whole)."""
    stream = io.BytesIO(data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            ds = dcmread(stream, stop_before_pixels=True)
        except InvalidDicomError as exc:
            raise Unstorable(Refusal.NOT_DICOM) from exc
        except (EOFError, OSError, ValueError, KeyError, TypeError, struct.error) as exc:
            raise Unstorable(Refusal.TRUNCATED) from exc
    noticed = [str(w.message) for w in caught]
    at = stream.tell()
    if at + 4 > len(data):
        return ds, noticed, None
    implicit, little = getattr(ds, "original_encoding", (None, None))
    if implicit is None or little is None:
        return ds, noticed, None
    order = "<" if little else ">"
    group, element = struct.unpack_from(order + "HH", data, at)
    if group << 16 | element not in _PIXEL_TAGS:
        return ds, noticed, None
    return ds, noticed, _pixels_extent(ds, data, at, little, implicit)


def part10_parse(data: bytes) -> Parsed:
    """The file checked and read; Unstorable with the reason when it cannot be kept. A file
    that starts with its file meta group but lacks the preamble (some clients write it so)
    is kept with the preamble added, the rest as sent. Only the header is parsed: the pixel
    data is checked whole by its declared lengths, and kept as the bytes received."""
    if data[:2] == b"\x02\x00" and data[4:6].isalpha():
        data = bytes(128) + b"DICM" + data
    if len(data) < 132 or data[128:132] != b"DICM":
        raise Unstorable(Refusal.NOT_DICOM)
    ds, noticed, pixels_whole = _header_read(data)
    transfer_syntax = getattr(ds.file_meta, "TransferSyntaxUID", None)
    if not transfer_syntax:
        raise Unstorable(Refusal.NO_TRANSFER_SYNTAX)
    if any("end of file" in n.lower() or "expected" in n.lower() for n in noticed):
        raise Unstorable(Refusal.TRUNCATED)
    # An image whose pixel data is cut short, or missing altogether (the file ends before
    # it); a deflated file is read whole, its pixel data judged as before.
    if pixels_whole is False or (
        pixels_whole is None and "Rows" in ds and not _whole_read_has_pixels(data)
    ):
        raise Unstorable(Refusal.TRUNCATED)
    elements = tuple(ds._dict.items())  # as read, before any value is converted
    uids = [str(_read(ds, tag, "") or "").strip() for tag in
            (0x0020000D, 0x0020000E, 0x00080018, 0x00080016)]  # fmt: skip
    if not all(uids) or any(len(u) > 64 for u in uids):
        raise Unstorable(Refusal.MISSING_UID)
    study, series, sop, sop_class = uids
    return Parsed(ds, data, study, series, sop, sop_class, str(transfer_syntax), elements)


def _whole_read_has_pixels(data: bytes) -> bool:
    """For what the header read cannot judge (a deflated file): read whole, as before."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            ds = dcmread(io.BytesIO(data))
        except Exception:  # any failure to read it whole: a file cut short
            return False
    if any("end of file" in str(w.message).lower() for w in caught):
        return False
    if PIXEL_DATA not in ds and "FloatPixelData" not in ds and "DoubleFloatPixelData" not in ds:
        return False
    transfer_syntax = UID(ds.file_meta.TransferSyntaxUID)
    if PIXEL_DATA in ds and not transfer_syntax.is_encapsulated:
        return len(ds.PixelData) >= _expected_native_bytes(ds)
    return True


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


def _int_read(ds: Dataset, tag: int) -> int | None:
    try:
        value = _read(ds, tag)
        return None if value in (None, "") else int(value)
    except (TypeError, ValueError):
        return None


def instance_fields(ds: Dataset) -> dict[str, Any]:
    return {
        "instance_number": _int_read(ds, 0x00200013),
        "rows": _int_read(ds, 0x00280010),
        "columns": _int_read(ds, 0x00280011),
        "number_of_frames": _int_read(ds, 0x00280008) or 1,
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


# An element's DICOM JSON by its bytes as received: the instances of a series repeat most of
# their header (patient, study, series, equipment, geometry but the position), so most of an
# instance's metadata is a look-up, and only what differs is converted. Keyed by everything
# that changes how the bytes read; emptied when it grows past its bound.
_ELEMENT_JSON: dict[tuple[Any, ...], dict[str, Any] | None] = {}
_ELEMENT_JSON_MAX = 50_000


def _element_json(ds: Dataset, tag: int, raw: Any, charset: Any) -> dict[str, Any] | None:
    """The element as DICOM JSON (None: left out as bulk data), converted by pydicom."""
    element = ds[tag]
    if element.VR in BULK_VRS and len(element.value or b"") > BULK_THRESHOLD:
        return None
    if element.VR == "SQ":
        element = _sequence_without_bulk(element)
    return element.to_json_dict(None, BULK_THRESHOLD)


def metadata_json(parsed: Parsed) -> str:
    """The instance as DICOM JSON, bulk data left out, its transfer syntax said: what
    WADO-RS metadata sends for it."""
    ds = parsed.dataset
    elements = parsed.elements or tuple(ds._dict.items())
    charset = ds._dict.get(Tag(0x0008, 0x0005))
    # The character set as received (bytes), or as read (its values) once converted.
    charset_value = getattr(charset, "value", None)
    charset_key = charset_value if isinstance(charset_value, bytes) else repr(charset_value)
    document: dict[str, Any] = {}
    for tag, raw in elements:
        if tag == PIXEL_DATA or tag >> 16 == 0x0002:
            continue
        value = getattr(raw, "value", None)
        cacheable = (
            isinstance(value, bytes)
            and getattr(raw, "VR", None) not in (None, "SQ", "UN")
            and not (tag >> 16) & 1  # private: its meaning hangs on its creator
            and len(value) <= BULK_THRESHOLD
        )
        if not cacheable:
            converted = _element_json(ds, tag, raw, charset_key)
        else:
            key = (tag, raw.VR, value, raw.is_little_endian, charset_key)
            if key in _ELEMENT_JSON:
                converted = _ELEMENT_JSON[key]
            else:
                converted = _element_json(ds, tag, raw, charset_key)
                if len(_ELEMENT_JSON) >= _ELEMENT_JSON_MAX:
                    _ELEMENT_JSON.clear()
                _ELEMENT_JSON[key] = converted
        if converted is not None:
            document[f"{tag:08X}"] = converted
    document[AVAILABLE_TRANSFER_SYNTAX] = {"vr": "UI", "Value": [parsed.transfer_syntax]}
    return json.dumps(dict(sorted(document.items())), ensure_ascii=False, separators=(",", ":"))


def metadata_json_whole(parsed: Parsed) -> str:
    """The same document made from the whole dataset at once (the reference the cached
    conversion is checked against)."""
    document = _without_bulk(parsed.dataset).to_json_dict()
    document[AVAILABLE_TRANSFER_SYNTAX] = {"vr": "UI", "Value": [parsed.transfer_syntax]}
    return json.dumps(dict(sorted(document.items())), ensure_ascii=False, separators=(",", ":"))
