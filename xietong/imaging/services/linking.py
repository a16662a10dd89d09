"""A person links a study that arrived unmatched to the patient it is of: one of their own
institution's patients, chosen by someone whose role registers patients there. The link is
audited; a study already linked is not linked again (another person was quicker).

A study linked to the wrong patient (a mistyped number that was another patient's) is
unlinked by the same people, with the reason: it leaves that patient's record at once (and
the consultations of that patient stop sharing it) and waits in the reconciliation list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from xietong.patients.access import institution_cares_for

from ..access import can_reconcile
from ..models import Study
from .matching import Unmatched

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


REASON_MAX = 200


def study_unlink(*, actor: Actor, study: Study, reason: str) -> Study:
    """Moves a study of the actor's institution off the patient it was linked to."""
    if study.institution_id != actor.institution_id:
        raise NotFound()
    if not can_reconcile(actor):
        raise NotPermitted(_("Your role does not allow linking studies to patients."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed.single("reason", _("Say why the study is not this patient's."))
    if len(reason) > REASON_MAX:
        raise ValidationFailed.single(
            "reason", _("The reason is at most %(n)d characters.") % {"n": REASON_MAX}
        )
    with transaction.atomic():
        locked = Study.objects.select_for_update().get(pk=study.pk)
        if locked.patient_id is None:
            raise Conflict(_("This study is not linked to a patient."))
        was = locked.patient_id
        locked.patient_id = None
        locked.unmatched_reason = Unmatched.UNLINKED
        locked.save(update_fields=["patient", "unmatched_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="imaging_study.unlink",
            resource_type="ImagingStudy",
            resource_id=locked.uuid,
            patient_id=was,
            detail={"study_instance_uid": locked.study_instance_uid, "reason": reason},
        )
    return locked
