"""Reads of clinical documents: of the patients the actor may see, what their institution
filed, what was shared for their work, and the rest only with the patient's consent to share
or an emergency break-the-glass (xietong/records/sharing.py). Every read is audited (ATNA)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import NotFound
from xietong.core.keys import uuid_or_none
from xietong.core.models import AuditOutcome
from xietong.core.reads import SHOW, Intent, read_recorded, read_refused
from xietong.patients.access import patient_visible_to
from xietong.patients.models import Patient

from .models import ClinicalDocument, DocumentStatus
from .sharing import documents_readable_q


def _readable(actor: Actor, patient: Patient) -> QuerySet[ClinicalDocument]:
    return ClinicalDocument.objects.filter(documents_readable_q(actor=actor, patient=patient))


def _listed(qs: QuerySet[ClinicalDocument], include_inactive: bool) -> QuerySet[ClinicalDocument]:
    if not include_inactive:
        qs = qs.filter(status=DocumentStatus.CURRENT)
    return qs.select_related("institution", "created_by").order_by(
        "-clinical_date", "-created_at", "-id"
    )


def documents_for_patient(
    *, actor: Actor, patient: Patient, include_inactive: bool = False
) -> QuerySet[ClinicalDocument]:
    """The patient's documents, newest clinical date first; nothing when the actor may not
    see the patient. Superseded and in-error documents only when asked for."""
    if not patient_visible_to(actor, patient):
        audit_record(
            actor=actor, action="document_reference.search", resource_type="DocumentReference",
            patient_id=patient.pk, outcome=AuditOutcome.MINOR_FAILURE,
            detail={"reason": "not visible"},
        )  # fmt: skip
        return ClinicalDocument.objects.none()
    audit_record(
        actor=actor, action="document_reference.search", resource_type="DocumentReference",
        patient_id=patient.pk,
        detail={"criteria": {"patient": str(patient.uuid)}},
    )  # fmt: skip
    return _listed(_readable(actor, patient).filter(patient=patient), include_inactive)


def documents_for_source(
    *, actor: Actor, source: str, include_inactive: bool = False
) -> QuerySet[ClinicalDocument]:
    """The documents attached to one workflow object ("consultation:<uuid>") whose patient
    the actor may see."""
    # A workflow object is about one patient; the filter below decides what of theirs is
    # readable, so documents of a source are never read past the sharing rules.
    patient_ids = sorted(
        set(ClinicalDocument.objects.filter(source=source).values_list("patient_id", flat=True))
    )
    q = Q(pk__in=[])
    for patient in Patient.objects.filter(pk__in=patient_ids):
        readable = documents_readable_q(actor=actor, patient=patient)
        if not ClinicalDocument.objects.filter(readable, patient=patient, source=source).exists():
            continue
        q |= Q(patient=patient) & readable
        audit_record(
            actor=actor, action="document_reference.search", resource_type="DocumentReference",
            patient_id=patient.pk, detail={"criteria": {"source": source}},
        )  # fmt: skip
    return _listed(ClinicalDocument.objects.filter(q, source=source), include_inactive)


def documents_among_for(
    *, actor: Actor, patient: Patient, document_uuids: Iterable[object], current_only: bool = False
) -> QuerySet[ClinicalDocument]:
    """Those of the patient's documents named by UUID that the actor may read: what a
    workflow shares or shows of the record (a referral's shared records). Not audited
    here: the caller shows them as part of the work it read, whose read it recorded, or
    only checks them before the work is written."""
    keys = [key for key in (uuid_or_none(value) for value in document_uuids) if key is not None]
    if not keys:
        return ClinicalDocument.objects.none()
    qs = _readable(actor, patient).filter(patient=patient, uuid__in=keys)
    return _listed(qs, include_inactive=not current_only)


def get_document_for(
    *, actor: Actor, document_uuid: uuid.UUID | str, intent: Intent = SHOW
) -> ClinicalDocument:
    """The document, when the actor may see its patient; NotFound for missing and forbidden
    alike. The read is audited, and so is a refusal."""
    key = uuid_or_none(document_uuid)
    document = (
        ClinicalDocument.objects.select_related("patient", "institution", "supersedes")
        .filter(uuid=key)
        .first()
        if key
        else None
    )
    if document is None or not _readable(actor, document.patient).filter(pk=document.pk).exists():
        read_refused(
            actor=actor, resource_type="DocumentReference", resource_id=document_uuid,
            patient_id=document.patient_id if document else None,
        )  # fmt: skip
        raise NotFound()
    read_recorded(
        actor=actor, intent=intent, resource_type="DocumentReference",
        resource_id=document.uuid, patient_id=document.patient_id,
    )  # fmt: skip
    return document


def document_file_bytes(*, actor: Actor, document_uuid: uuid.UUID | str) -> bytes:
    """The file's content, for a workflow that embeds or forwards it; the read is audited."""
    document = get_document_for(actor=actor, document_uuid=document_uuid)
    with document.file.open("rb") as handle:
        return handle.read()


def document_holders(patient_id: int) -> list[int]:
    """The institutions that filed documents to the patient's record (not a read of them)."""
    return list(
        ClinicalDocument.objects.filter(patient_id=patient_id)
        .values_list("institution_id", flat=True)
        .distinct()
    )
