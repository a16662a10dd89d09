"""The ICD-10 code list, as the diagnosis pickers search it."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from xietong.core.icd10 import icd_normalise

from ..models import DiagnosisCode
from ._common import _split_terms, _text_q

# What a code looks like while it is typed: "I", "I2", "I21", "I21.", "I21.4", or without
# the dot ("I214").
_TYPED_CODE = re.compile(r"^[A-Z][0-9]{0,2}(\.[0-9A-Z]{0,4})?$")
_UNDOTTED = re.compile(r"^([A-Z][0-9]{2})([0-9A-Z]{1,4})$")


def _code_prefix(term: str) -> str | None:
    """The code prefix a search term stands for, or None when it is a word."""
    typed = icd_normalise(term)
    undotted = _UNDOTTED.match(typed)
    if undotted:
        return f"{undotted[1]}.{undotted[2]}"
    return typed if _TYPED_CODE.match(typed) else None


def diagnosis_code_search(*, q: str | None, limit: int = 20) -> QuerySet[DiagnosisCode]:
    """Codes matching every term of `q`: a code-like term is a prefix of the code (I21,
    I21.4), any other term is in the Chinese or the English title. By code."""
    terms = _split_terms(q)
    if not terms:
        return DiagnosisCode.objects.none()
    qs = DiagnosisCode.objects.all()
    for term in terms:
        prefix = _code_prefix(term)
        qs = qs.filter(Q(code__startswith=prefix) if prefix else _text_q(term, "name", "name_en"))
    return qs.order_by("code")[:limit]


def diagnosis_code_get(*, code: str) -> DiagnosisCode | None:
    """The list's entry for `code` (normalised as the workflows store it), if any."""
    wanted = icd_normalise(code)
    return DiagnosisCode.objects.filter(code=wanted).first() if wanted else None
