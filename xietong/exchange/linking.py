"""Which of our patients a hospital's Patient resource is.

The one place the exchange asks it. Today it is the resident ID or the institution's own
medical record number, among the patients the institution cares for; the master patient
index (a later piece of work) answers here instead, and nothing else changes."""

from __future__ import annotations

from typing import Any

from xietong.patients.selectors import patient_known_to_institution_as

from .push.edge import MRN_PREFIX, RESIDENT_ID_SYSTEM


def patient_matching(
    *, institution_id: int, institution_code: str, resource: dict[str, Any]
) -> int | None:
    mrn = resident_id = ""
    for identifier in resource.get("identifier", []) or []:
        if not isinstance(identifier, dict):
            continue
        system, value = identifier.get("system"), str(identifier.get("value", ""))
        if system == f"{MRN_PREFIX}{institution_code}":
            mrn = value
        elif system == RESIDENT_ID_SYSTEM:
            resident_id = value
    if not mrn and not resident_id:
        return None
    patient = patient_known_to_institution_as(
        institution_id=institution_id, mrn=mrn, resident_id=resident_id
    )
    return patient.pk if patient is not None else None
