"""A person links a study that arrived unmatched to the patient it is of: one of their own
institution's patients, chosen by someone whose role registers patients there. The link is
audited; a study already linked is not linked again (another person was quicker)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Conflict, NotFound, NotPermitted
from xietong.patients.access import institution_cares_for

from ..access import can_reconcile
from ..models import Study

if TYPE_CHECKING:
    from xietong.patients.models import Patient


def study_link(*, actor: Actor, study: Study, patient: Patient) -> Study:
    if study.institution_id != actor.institution_id:
        raise NotFound()
    if not can_reconcile(actor):
        raise NotPermitted(_("Your role does not allow linking studies to patients."))
    if not institution_cares_for(actor, patient.pk):
        # Seen through a consultation, perhaps, but not a patient of this institution.
        raise NotFound()
    with transaction.atomic():
        locked = Study.objects.select_for_update().get(pk=study.pk)
        if locked.patient_id is not None:
            raise Conflict(_("This study has already been linked to a patient."))
        locked.patient_id = patient.pk
        reason, locked.unmatched_reason = locked.unmatched_reason, ""
        locked.save(update_fields=["patient", "unmatched_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="imaging_study.link",
            resource_type="ImagingStudy",
            resource_id=locked.uuid,
            patient_id=patient.pk,
            detail={
                "study_instance_uid": locked.study_instance_uid,
                "unmatched": reason,
                "patient_id_sent": locked.dicom_patient_id,
            },
        )
    return locked
