"""De-identification of one instance for a teaching file, after the DICOM Basic Application
Level Confidentiality Profile (PS3.15 Annex E, table E.1-1): attributes that name or point to
the patient, the staff, the institution or the device are removed or emptied, every UID is
replaced, private attributes and overlays go, and the instance says what was done to it.

The table below holds the attributes of that profile our senders are known to fill, with the
profile's action for each (the profile lists several hundred; what is not here and not
private is kept). A teaching file keeps the pixels: an instance that says it has
identifying text burned into its pixels is refused, since that text cannot be taken out."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable

from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag, Tag

REMOVE = "X"  # the attribute goes
EMPTY = "Z"  # kept, with an empty (or dummy) value
UID = "U"  # a new UID, the same for the same old UID within one teaching file

PROFILE: dict[BaseTag, str] = {
    Tag(0x0008, 0x0014): UID,  # Instance Creator UID
    Tag(0x0008, 0x0018): UID,  # SOP Instance UID
    Tag(0x0008, 0x0020): EMPTY,  # Study Date
    Tag(0x0008, 0x0021): REMOVE,  # Series Date
    Tag(0x0008, 0x0022): REMOVE,  # Acquisition Date
    Tag(0x0008, 0x0023): EMPTY,  # Content Date
    Tag(0x0008, 0x0030): EMPTY,  # Study Time
    Tag(0x0008, 0x0031): REMOVE,  # Series Time
    Tag(0x0008, 0x0032): REMOVE,  # Acquisition Time
    Tag(0x0008, 0x0033): EMPTY,  # Content Time
    Tag(0x0008, 0x0050): EMPTY,  # Accession Number
    Tag(0x0008, 0x0080): REMOVE,  # Institution Name
    Tag(0x0008, 0x0081): REMOVE,  # Institution Address
    Tag(0x0008, 0x0090): EMPTY,  # Referring Physician's Name
    Tag(0x0008, 0x0092): REMOVE,  # Referring Physician's Address
    Tag(0x0008, 0x0094): REMOVE,  # Referring Physician's Telephone Numbers
    Tag(0x0008, 0x1010): REMOVE,  # Station Name
    Tag(0x0008, 0x1030): REMOVE,  # Study Description
    Tag(0x0008, 0x103E): REMOVE,  # Series Description
    Tag(0x0008, 0x1040): REMOVE,  # Institutional Department Name
    Tag(0x0008, 0x1048): REMOVE,  # Physician(s) of Record
    Tag(0x0008, 0x1050): REMOVE,  # Performing Physician's Name
    Tag(0x0008, 0x1060): REMOVE,  # Name of Physician(s) Reading Study
    Tag(0x0008, 0x1070): REMOVE,  # Operators' Name
    Tag(0x0008, 0x1080): REMOVE,  # Admitting Diagnoses Description
    Tag(0x0008, 0x1155): UID,  # Referenced SOP Instance UID
    Tag(0x0008, 0x2111): REMOVE,  # Derivation Description
    Tag(0x0010, 0x0010): EMPTY,  # Patient's Name
    Tag(0x0010, 0x0020): EMPTY,  # Patient ID
    Tag(0x0010, 0x0021): REMOVE,  # Issuer of Patient ID
    Tag(0x0010, 0x0030): EMPTY,  # Patient's Birth Date
    Tag(0x0010, 0x0032): REMOVE,  # Patient's Birth Time
    Tag(0x0010, 0x0040): EMPTY,  # Patient's Sex
    Tag(0x0010, 0x1000): REMOVE,  # Other Patient IDs
    Tag(0x0010, 0x1001): REMOVE,  # Other Patient Names
    Tag(0x0010, 0x1002): REMOVE,  # Other Patient IDs Sequence
    Tag(0x0010, 0x1010): REMOVE,  # Patient's Age
    Tag(0x0010, 0x1020): REMOVE,  # Patient's Size
    Tag(0x0010, 0x1030): REMOVE,  # Patient's Weight
    Tag(0x0010, 0x1040): REMOVE,  # Patient's Address
    Tag(0x0010, 0x1060): REMOVE,  # Patient's Mother's Birth Name
    Tag(0x0010, 0x2154): REMOVE,  # Patient's Telephone Numbers
    Tag(0x0010, 0x2160): REMOVE,  # Ethnic Group
    Tag(0x0010, 0x21B0): REMOVE,  # Additional Patient History
    Tag(0x0010, 0x4000): REMOVE,  # Patient Comments
    Tag(0x0018, 0x1000): REMOVE,  # Device Serial Number
    Tag(0x0018, 0x1030): REMOVE,  # Protocol Name
    Tag(0x0020, 0x000D): UID,  # Study Instance UID
    Tag(0x0020, 0x000E): UID,  # Series Instance UID
    Tag(0x0020, 0x0010): EMPTY,  # Study ID
    Tag(0x0020, 0x0052): UID,  # Frame of Reference UID
    Tag(0x0020, 0x0200): UID,  # Synchronization Frame of Reference UID
    Tag(0x0020, 0x4000): REMOVE,  # Image Comments
    Tag(0x0032, 0x1032): REMOVE,  # Requesting Physician
    Tag(0x0032, 0x1060): REMOVE,  # Requested Procedure Description
    Tag(0x0040, 0x0244): REMOVE,  # Performed Procedure Step Start Date
    Tag(0x0040, 0x0245): REMOVE,  # Performed Procedure Step Start Time
    Tag(0x0040, 0x0253): REMOVE,  # Performed Procedure Step ID
    Tag(0x0040, 0x0254): REMOVE,  # Performed Procedure Step Description
    Tag(0x0040, 0x0275): REMOVE,  # Request Attributes Sequence
    Tag(0x0040, 0xA124): UID,  # UID
    Tag(0x0088, 0x0140): UID,  # Storage Media File-set UID
    Tag(0x0400, 0x0561): REMOVE,  # Original Attributes Sequence
    Tag(0x3006, 0x0024): UID,  # Referenced Frame of Reference UID
}
METHOD = "DICOM PS3.15 E.1 Basic Application Level Confidentiality Profile"
BASIC_PROFILE_CODE = ("113100", "DCM", "Basic Application Confidentiality Profile")


class BurnedInText(ValueError):
    """The instance says its pixels carry identifying text."""


def uid_replacer(*, secret: bytes) -> Callable[[str], str]:
    """A new UID for each old one, the same within one teaching file (the series of a study
    stay together) and, without the secret, which is kept nowhere, not traceable back. UIDs
    under 2.25 (PS3.5 B.2) are a UUID's 128 bits as a decimal number."""

    def replace(old: str) -> str:
        digest = hashlib.sha256(secret + old.encode()).digest()[:16]
        value = int.from_bytes(digest, "big") >> 6  # below 2**122, as a random UUID holds
        return f"2.25.{value}"

    return replace


def _overlay_or_curve(tag: BaseTag) -> bool:
    return tag.group & 0xFF00 in (0x5000, 0x6000)


def _walk(ds: Dataset, new_uid: Callable[[str], str]) -> None:
    for element in list(ds):
        tag = element.tag
        action = PROFILE.get(tag)
        if tag.is_private or _overlay_or_curve(tag) or action == REMOVE:
            del ds[tag]
        elif action == EMPTY:
            element.value = None
        elif action == UID and element.value:
            values = element.value if element.VM > 1 else [element.value]
            replaced = [new_uid(str(v)) for v in values]
            element.value = replaced if element.VM > 1 else replaced[0]
        elif element.VR == "SQ":
            for item in element.value:
                _walk(item, new_uid)


def deidentify(ds: Dataset, *, new_uid: Callable[[str], str], label: str) -> Dataset:
    """A de-identified copy of `ds` (never `ds` itself: the archive's original stays as it
    came). `label` stands where the patient's name and ID were: the teaching file's number."""
    if str(ds.get("BurnedInAnnotation", "")).upper() == "YES":
        raise BurnedInText(ds.get("SOPInstanceUID", ""))
    out = copy.deepcopy(ds)
    _walk(out, new_uid)
    out.PatientName = f"TEACHING^{label}"
    out.PatientID = label
    out.PatientIdentityRemoved = "YES"
    out.DeidentificationMethod = METHOD
    code = Dataset()
    code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = BASIC_PROFILE_CODE
    out.DeidentificationMethodCodeSequence = Sequence([code])
    meta = getattr(out, "file_meta", None)
    if meta is not None and "MediaStorageSOPInstanceUID" in meta:
        meta.MediaStorageSOPInstanceUID = out.SOPInstanceUID
    return out
