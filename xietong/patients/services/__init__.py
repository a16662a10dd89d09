"""Writes to patients: registration, identifiers and written consents. Each service
authorizes, validates everything, then writes and audits in one transaction and emits its
event after commit."""

from .consents import consent_record, consent_withdraw
from .identifiers import patient_identifier_add
from .registration import (
    KNOWN_ELSEWHERE,
    MRN_TAKEN,
    Registered,
    patient_register,
    patient_registration_make,
)

__all__ = [
    "KNOWN_ELSEWHERE",
    "MRN_TAKEN",
    "Registered",
    "consent_record",
    "consent_withdraw",
    "patient_identifier_add",
    "patient_register",
    "patient_registration_make",
]
