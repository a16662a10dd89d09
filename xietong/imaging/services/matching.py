"""Which patient an arriving study is of. The sender names the patient by its own number
(Patient ID): its medical record number for them, or their resident ID. The name and birth
date the study carries must agree with the patient found, or the study is not linked: a
study filed to the wrong person is worse than one that waits for a person to link it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from xietong.patients.residentid import ResidentIdInvalid, resident_id_normalise, resident_id_parse
from xietong.patients.selectors import patient_known_to_institution_as

if TYPE_CHECKING:
    from xietong.patients.models import Patient


class Unmatched(StrEnum):
    NO_PATIENT = "no_patient"
    NAME_DIFFERS = "name_differs"
    BIRTH_DATE_DIFFERS = "birth_date_differs"
    # Linked, then found not to be that patient's: waits for a person, never re-matched.
    UNLINKED = "unlinked"

    @property
    def label(self) -> str:
        return str(_UNMATCHED_LABELS[self])


_UNMATCHED_LABELS = {
    Unmatched.NO_PATIENT: _("No patient of ours has this Patient ID"),
    Unmatched.NAME_DIFFERS: _("The name differs from the patient's"),
    Unmatched.BIRTH_DATE_DIFFERS: _("The birth date differs from the patient's"),
    Unmatched.UNLINKED: _("Unlinked from the wrong patient"),
}


@dataclass(frozen=True)
class Match:
    patient: Patient | None
    unmatched: Unmatched | None


def _name_key(name: str) -> str:
    # Spaces, the middle dot of transliterated names, and PN's component separators.
    return "".join(name.replace("^", "").split()).replace("·", "").replace("•", "").casefold()


def dicom_name_matches(dicom_name: str, name: str) -> bool:
    """A DICOM PN has up to three groups (alphabetic=ideographic=phonetic): one of them
    must spell the patient's name."""
    wanted = _name_key(name)
    return bool(wanted) and any(_name_key(group) == wanted for group in dicom_name.split("="))


def _dicom_date(value: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(value.strip(), "%Y%m%d").date()
    except ValueError:
        return None


def _resident_id(value: str) -> str:
    try:
        return resident_id_parse(resident_id_normalise(value)).value
    except ResidentIdInvalid:
        return ""


def study_match(
    *, institution_id: int, patient_id: str, patient_name: str, birth_date: str
) -> Match:
    """The sending institution's patient this study is of, or why none is linked."""
    number = patient_id.strip()
    if not number:
        return Match(None, Unmatched.NO_PATIENT)
    patient = patient_known_to_institution_as(
        institution_id=institution_id, mrn=number, resident_id=_resident_id(number)
    )
    if patient is None:
        return Match(None, Unmatched.NO_PATIENT)
    if not dicom_name_matches(patient_name, patient.name):
        return Match(None, Unmatched.NAME_DIFFERS)
    if _dicom_date(birth_date) != patient.birth_date:
        return Match(None, Unmatched.BIRTH_DATE_DIFFERS)
    return Match(patient, None)
