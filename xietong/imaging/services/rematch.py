"""Studies that waited for their patient are linked when the patient becomes known: the
sending institution registers them, or gives them the MRN the study carries. The same rules
as on arrival (matching.py) decide; the link is audited as the matching's, not a person's."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q

from xietong.core.audit import audit_record
from xietong.patients.selectors import patient_numbers

from ..models import Study
from .matching import Unmatched, study_match

AGENT = "imaging-matching"


def studies_rematch(*, patient_id: int) -> int:
    """Links the unmatched studies that now match this patient; how many were linked."""
    pairs = patient_numbers(patient_id)
    if not pairs:
        return 0
    sent_as = Q(pk__in=[])
    for institution_id, number in pairs:
        sent_as |= Q(institution_id=institution_id, dicom_patient_id=number)
    linked = 0
    # A study a person unlinked from a patient waits for a person: the numbers that matched
    # it to the wrong one would match it again.
    waiting = Study.objects.filter(sent_as, patient__isnull=True).exclude(
        unmatched_reason=Unmatched.UNLINKED
    )
    for study in waiting:
        match = study_match(institution_id=study.institution_id,
                            patient_id=study.dicom_patient_id, patient_name=study.patient_name,
                            birth_date=study.patient_birth_date)  # fmt: skip
        if match.patient is None or match.patient.pk != patient_id:
            continue
        with transaction.atomic():
            changed = Study.objects.filter(pk=study.pk, patient__isnull=True).update(
                patient_id=patient_id, unmatched_reason=""
            )
            if changed:
                audit_record(actor=None, username=AGENT, action="imaging_study.link",
                             resource_type="ImagingStudy", resource_id=study.uuid,
                             patient_id=patient_id,
                             detail={"study_instance_uid": study.study_instance_uid,
                                     "automatic": True})  # fmt: skip
                linked += changed
    return linked


def patient_became_known(name: str, payload: dict[str, Any]) -> None:
    """Subscribed to patient.registered and patient.identifier_added (apps.py)."""
    patient_id = payload.get("patient_id")
    if isinstance(patient_id, int):
        studies_rematch(patient_id=patient_id)
