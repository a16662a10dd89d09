"""ICD-10 codes as the workflows take them: a letter, two digits, and an optional
subdivision after a dot (I21, I21.4, S72.001)."""

from __future__ import annotations

import re

ICD10 = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")


def icd_normalise(code: str) -> str:
    return (code or "").strip().upper()


def icd_valid(code: str) -> bool:
    """Whether `code`, once normalised, is shaped like an ICD-10 code."""
    return bool(ICD10.match(icd_normalise(code)))
