"""Reads of clinical documents, scoped to the patients the actor may see (their
institution's, and those granted to them by name). Every read is audited (ATNA)."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import NotFound
from xietong.core.models import AuditOutcome
from xietong.patients.access import patient_visible_to, visible_patients_q
from xietong.patients.models import Patient

from .models import ClinicalDocument, DocumentStatus


def _as_uuid(value: object) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def documents_visible_to(actor: Actor) -> QuerySet[ClinicalDocument]:
    visible = Patient.objects.filter(visible_patients_q(actor)).values("pk")
    return ClinicalDocument.objects.filter(patient_id__in=visible)


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
            actor=actor, action="search", resource_type="DocumentReference",
            patient_id=patient.pk, outcome=AuditOutcome.MINOR_FAILURE,
            detail={"reason": "not visible"},
        )  # fmt: skip
        return ClinicalDocument.objects.none()
    audit_record(
        actor=actor, action="search", resource_type="DocumentReference", patient_id=patient.pk,
        detail={"criteria": {"patient": str(patient.uuid)}},
    )  # fmt: skip
    return _listed(ClinicalDocument.objects.filter(patient=patient), include_inactive)


def documents_for_source(
    *, actor: Actor, source: str, include_inactive: bool = False
) -> QuerySet[ClinicalDocument]:
    """The documents attached to one workflow object ("consultation:<uuid>") whose patient
    the actor may see."""
    docs = list(
        documents_visible_to(actor).filter(source=source).values_list("patient_id", flat=True)
    )
    for patient_id in sorted(set(docs)):
        audit_record(
            actor=actor, action="search", resource_type="DocumentReference",
            patient_id=patient_id, detail={"criteria": {"source": source}},
        )  # fmt: skip
    return _listed(documents_visible_to(actor).filter(source=source), include_inactive)


def get_document_for(*, actor: Actor, document_uuid: uuid.UUID | str) -> ClinicalDocument:
    """The document, when the actor may see its patient; NotFound for missing and forbidden
    alike. The read is audited, and so is a refusal."""
    key = _as_uuid(document_uuid)
    document = (
        ClinicalDocument.objects.select_related("patient", "institution", "supersedes")
        .filter(uuid=key)
        .first()
        if key
        else None
    )
    if document is None or not patient_visible_to(actor, document.patient):
        audit_record(
            actor=actor, action="read", resource_type="DocumentReference",
            resource_id=document_uuid, patient_id=document.patient_id if document else None,
            outcome=AuditOutcome.MINOR_FAILURE, detail={"reason": "not visible"},
        )  # fmt: skip
        raise NotFound()
    audit_record(
        actor=actor,
        action="read",
        resource_type="DocumentReference",
        resource_id=document.uuid,
        patient_id=document.patient_id,
    )
    return document


def document_file_bytes(*, actor: Actor, document_uuid: uuid.UUID | str) -> bytes:
    """The file's content, for a workflow that embeds or forwards it; the read is audited."""
    document = get_document_for(actor=actor, document_uuid=document_uuid)
    with document.file.open("rb") as handle:
        return handle.read()
