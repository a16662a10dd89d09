"""Whether a referral meets the configured criteria (disease group by ICD-10 range, sending
level, kind). The seeds call referral standards unsettled: a referral outside them is not
refused, it is flagged and needs a written justification."""

from __future__ import annotations

from dataclasses import dataclass

from xietong.core.icd10 import icd_normalise

from .models import ReferralCriterion


def icd_in_range(code: str, low: str, high: str) -> bool:
    """I21.4 lies in I20–I25: compare the code with each bound at the bound's own length."""
    code, low, high = icd_normalise(code), icd_normalise(low), icd_normalise(high)
    return code[: len(low)] >= low and code[: len(high)] <= high


@dataclass(frozen=True)
class CriteriaResult:
    met: bool
    group: str = ""
    configured: bool = True


def criteria_check(*, diagnosis_code: str, sending_level: str, kind: str) -> CriteriaResult:
    """Met when an active criterion covers the code for this level and kind. Where no
    criterion is configured at all there is nothing to check against: met."""
    criteria = list(ReferralCriterion.objects.filter(active=True))
    if not criteria:
        return CriteriaResult(True, configured=False)
    for criterion in criteria:
        if criterion.sending_level and criterion.sending_level != sending_level:
            continue
        if criterion.kinds and kind not in criterion.kinds:
            continue
        if icd_in_range(diagnosis_code, criterion.icd_from, criterion.icd_to):
            return CriteriaResult(True, criterion.disease_group)
    return CriteriaResult(False)
