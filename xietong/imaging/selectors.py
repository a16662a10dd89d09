"""Reads of the archive, scoped to what the actor may see (access.py).

A study is fetched through get_study_for, which records the retrieval once per study and
reader (a signed-in session or an API token) for READ_RECORDED_FOR: a viewer asks for a
study's frames by the hundred, and the audit log wants one line saying who opened which
study, not one per frame. The refusal is recorded each time."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db.models import Q, QuerySet

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import NotFound
from xietong.core.keys import uuid_or_none
from xietong.core.reads import SHOW, Intent, read_recorded, read_refused

if TYPE_CHECKING:
    from xietong.patients.models import Patient

from .access import can_reconcile, studies_visible_q
from .models import Instance, Series, Study

# A working day: a study opened again the next morning is a new line in the log.
READ_RECORDED_FOR = 8 * 3600


def studies_visible_to(actor: Actor) -> QuerySet[Study]:
    return Study.objects.filter(studies_visible_q(actor))


def series_visible_to(actor: Actor) -> QuerySet[Series]:
    return Series.objects.filter(studies_visible_q(actor, prefix="study__"))


def instances_visible_to(actor: Actor) -> QuerySet[Instance]:
    return Instance.objects.filter(studies_visible_q(actor, prefix="study__"))


def studies_of_patient_for(*, actor: Actor, patient: Patient) -> list[Study]:
    """The studies of a patient already fetched through get_patient_for (which checked and
    recorded that the actor sees them), newest first: for the patient's page and a request
    that attaches studies. The list is recorded as one search naming the patient."""
    found = list(
        studies_visible_to(actor)
        .filter(patient_id=patient.pk)
        .select_related("institution")
        .order_by("-study_date", "-study_time", "-id")
    )
    if found:
        detail = {"level": "patient", "count": len(found), "patient_ids": [patient.pk]}
        audit_record(actor=actor, action="imaging_study.search", resource_type="ImagingStudy",
                     patient_id=patient.pk, detail=detail)  # fmt: skip
    return found


def _read_key(reader: str, study: Study) -> str:
    return f"xt:imaging-read:{reader}:{study.uuid}"


def get_study_for(
    *, actor: Actor, study_uid: str, reader: str = "", intent: Intent = SHOW
) -> Study:
    """The study with this Study Instance UID when the actor may see it; NotFound for a
    missing and a forbidden one alike. `reader` names the session or token the retrieval
    belongs to (the read is recorded once per reader and study); empty records each read."""
    study = studies_visible_to(actor).filter(study_instance_uid=study_uid).first()
    if study is None:
        read_refused(actor=actor, resource_type="ImagingStudy", resource_id=study_uid,
                     patient_id=None)  # fmt: skip
        raise NotFound()
    if intent is SHOW and (not reader or cache.add(_read_key(reader, study), 1, READ_RECORDED_FOR)):
        try:
            read_recorded(actor=actor, intent=intent, resource_type="ImagingStudy",
                          resource_id=study.uuid, patient_id=study.patient_id,
                          detail={"study_instance_uid": study.study_instance_uid})  # fmt: skip
        except BaseException:
            if reader:  # not recorded: the next retrieval tries again
                cache.delete(_read_key(reader, study))
            raise
    return study


def instances_of(study: Study, *, series_uid: str = "", sop_uid: str = "") -> QuerySet[Instance]:
    """A fetched study's instances (of one series, or one instance), in reading order."""
    found = Instance.objects.filter(study=study)
    if series_uid:
        found = found.filter(series__series_instance_uid=series_uid)
    if sop_uid:
        found = found.filter(sop_instance_uid=sop_uid)
    return found.order_by("series__series_number", "series_id", "instance_number", "id")


def get_instance_of(study: Study, *, series_uid: str, sop_uid: str) -> Instance:
    instance = (
        Instance.objects.filter(study=study, sop_instance_uid=sop_uid)
        .select_related("series")
        .first()
    )
    if instance is None or instance.series.series_instance_uid != series_uid:
        raise NotFound()
    return instance


def unmatched_studies_for(*, actor: Actor, limit: int = 200) -> list[Study]:
    """The studies of the actor's institution waiting to be linked to a patient (the
    reconciliation list), oldest first: they have waited longest. The list is recorded as
    one search, since it shows the names the studies carry."""
    if not can_reconcile(actor):
        return []
    found = list(
        Study.objects.filter(
            Q(patient__isnull=True), institution_id=actor.institution_id or 0
        ).order_by("received_at", "id")[:limit]
    )
    audit_record(actor=actor, action="imaging_study.search", resource_type="ImagingStudy",
                 detail={"level": "unmatched", "count": len(found)})  # fmt: skip
    return found


def get_unmatched_study_for(
    *, actor: Actor, study_uuid: uuid.UUID | str, intent: Intent = SHOW
) -> Study:
    """A study of the actor's institution waiting for its patient, for a person who links
    studies; NotFound otherwise (a linked study is reached through its patient)."""
    key = uuid_or_none(study_uuid)
    study = (
        Study.objects.filter(
            uuid=key, patient__isnull=True, institution_id=actor.institution_id or 0
        ).first()
        if key and can_reconcile(actor)
        else None
    )
    if study is None:
        read_refused(actor=actor, resource_type="ImagingStudy", resource_id=study_uuid,
                     patient_id=None)  # fmt: skip
        raise NotFound()
    read_recorded(actor=actor, intent=intent, resource_type="ImagingStudy",
                  resource_id=study.uuid, patient_id=None)  # fmt: skip
    return study
