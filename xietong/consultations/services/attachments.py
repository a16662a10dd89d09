"""The records a consultation request carries: uploads and copies of the patient's
documents, filed with the consultation as their source through the records services. One
service for the pages and the API; creating a request with its attachments is one
transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction

from xietong.core.actor import Actor
from xietong.core.errors import ValidationFailed
from xietong.records.selectors import document_file_bytes, documents_for_patient
from xietong.records.services import document_store_generated, documents_upload

from ..models import Consultation
from .requests import consultation_create
from .studies import consultation_studies_set

if TYPE_CHECKING:
    from xietong.patients.models import Patient

# The records service's field names, as a request's attachments are named.
ATTACH_FIELDS = {
    "file": "upload", "title": "files_title", "kind": "files_kind", "studies": "studies"
}  # fmt: skip


def consultation_attach(
    *,
    actor: Actor,
    consultation: Consultation,
    files: Sequence[Any] = (),
    files_kind: str,
    files_title: str,
    existing: Iterable[uuid.UUID | str] = (),
) -> int:
    """Files `files` and copies of the patient's documents named in `existing` with the
    consultation (the originals stay where they were filed). Returns how many were filed.
    The records services refuse a bad upload (ValidationFailed, FileTooLarge): nothing is
    filed then."""
    c = consultation
    try:
        with transaction.atomic():
            count = _file_all(actor, c, files, files_kind, files_title, existing)
    except ValidationFailed as exc:
        # Named as the request names what it attaches, apart from the request's own fields.
        raise ValidationFailed(
            {ATTACH_FIELDS.get(name, "upload"): errors for name, errors in exc.fields.items()},
            exc.message,
        ) from exc
    return count


def _file_all(
    actor: Actor,
    c: Consultation,
    files: Sequence[Any],
    files_kind: str,
    files_title: str,
    existing: Iterable[uuid.UUID | str],
) -> int:
    count = 0
    if files:
        count += len(
            documents_upload(
                actor=actor,
                patient=c.patient,
                kind=files_kind,
                title=files_title,
                files=list(files),
                source=c.source,
            )
        )
    chosen = {str(key) for key in existing}
    if chosen:
        for document in documents_for_patient(actor=actor, patient=c.patient):
            if str(document.uuid) not in chosen:
                continue
            document_store_generated(
                actor=actor,
                patient=c.patient,
                kind=document.kind,
                title=document.title,
                content=document_file_bytes(actor=actor, document_uuid=document.uuid),
                content_type=document.content_type,
                source=c.source,
                clinical_date=document.clinical_date,
            )
            count += 1
    return count


def consultation_create_with_attachments(
    *,
    actor: Actor,
    patient: Patient,
    files: Sequence[Any] = (),
    files_kind: str,
    files_title: str,
    existing: Iterable[uuid.UUID | str] = (),
    studies: Iterable[uuid.UUID | str] = (),
    **values: Any,
) -> Consultation:
    """A draft, its records and its imaging studies in one transaction: a refused upload
    or study leaves no draft."""
    with transaction.atomic():
        c = consultation_create(actor=actor, patient=patient, **values)
        consultation_attach(
            actor=actor,
            consultation=c,
            files=files,
            files_kind=files_kind,
            files_title=files_title,
            existing=existing,
        )
        chosen = list(studies)
        if chosen:
            consultation_studies_set(actor=actor, consultation=c, studies=chosen)
    return c
