"""/api/v1/records: a patient's documents, upload (multipart), metadata, the file, and
marking in error. Handlers parse, call a service or selector, and shape the answer."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from xietong.core.api import ErrorOut
from xietong.core.http import ApiRequest
from xietong.core.inputs import text
from xietong.core.reads import CHANGE
from xietong.patients.selectors import get_patient_for

from .models import ClinicalDocument
from .selectors import documents_for_patient, documents_for_source, get_document_for
from .services import (
    REASON_MAX,
    SOURCE_MAX,
    TITLE_MAX,
    document_mark_in_error,
    document_replace,
    document_upload,
)

router = Router(tags=["records"])


class DocumentOut(Schema):
    uuid: UUID
    patient: UUID
    kind: str
    title: str
    clinical_date: dt.date | None
    content_type: str
    size: int
    sha256: str
    status: str
    supersedes: UUID | None
    source: str
    institution: str
    retention: str
    keep_until: dt.date
    error_reason: str
    created_at: dt.datetime
    file_url: str


class DocumentIn(Schema):
    kind: str = ""
    title: str = text(most=TITLE_MAX, required=True, checked=True)
    clinical_date: dt.date | None = None
    source: str = text(most=SOURCE_MAX, checked=True)


class ReplaceIn(Schema):
    title: str = text(most=TITLE_MAX, checked=True)


class InErrorIn(Schema):
    reason: str = text(most=REASON_MAX, required=True, checked=True)


def _out(d: ClinicalDocument) -> dict[str, Any]:
    return {
        "uuid": d.uuid,
        "patient": d.patient.uuid,
        "kind": d.kind,
        "title": d.title,
        "clinical_date": d.clinical_date,
        "content_type": d.content_type,
        "size": d.size,
        "sha256": d.sha256,
        "status": d.status,
        "supersedes": d.supersedes.uuid if d.supersedes_id and d.supersedes else None,
        "source": d.source,
        "institution": d.institution.name,
        "retention": d.retention,
        "keep_until": d.keep_until,
        "error_reason": d.error_reason,
        "created_at": d.created_at,
        "file_url": f"/api/v1/records/{d.uuid}/file",
    }


@router.get(
    "/patients/{uuid:patient_uuid}",
    response={200: list[DocumentOut], 404: ErrorOut},
    summary="A patient's documents",
)
def patient_documents_api(
    request: ApiRequest, patient_uuid: UUID, include_inactive: bool = False
) -> list[dict[str, Any]]:
    """Newest clinical date first; superseded and in-error documents with
    `include_inactive=true`."""
    patient = get_patient_for(actor=request.auth, patient_uuid=patient_uuid)
    documents = documents_for_patient(
        actor=request.auth, patient=patient, include_inactive=include_inactive
    ).select_related("patient", "supersedes")
    return [_out(d) for d in documents]


@router.get("", response={200: list[DocumentOut]}, summary="Documents of a workflow object")
def source_documents_api(
    request: ApiRequest, source: str, include_inactive: bool = False
) -> list[dict[str, Any]]:
    """The documents attached to `source` (e.g. `consultation:<uuid>`) whose patient the
    caller may see."""
    documents = documents_for_source(
        actor=request.auth, source=source, include_inactive=include_inactive
    ).select_related("patient", "supersedes")
    return [_out(d) for d in documents]


@router.post(
    "/patients/{uuid:patient_uuid}",
    response={201: DocumentOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut, 422: ErrorOut},
    summary="Upload a document",
)
def document_upload_api(
    request: ApiRequest,
    patient_uuid: UUID,
    payload: Form[DocumentIn],
    file: File[UploadedFile | None] = None,
) -> Status[dict[str, Any]]:
    """multipart/form-data: `kind`, `title`, optional `clinical_date` and `source`, and
    `file`, a PDF, JPEG or PNG (judged by its content) of at most XT_UPLOAD_MAX_MB."""
    patient = get_patient_for(actor=request.auth, patient_uuid=patient_uuid, intent=CHANGE)
    document = document_upload(
        actor=request.auth, patient=patient, kind=payload.kind, title=payload.title, file=file,
        clinical_date=payload.clinical_date, source=payload.source,
    )  # fmt: skip
    return Status(201, _out(document))


@router.get(
    "/{uuid:document_uuid}",
    response={200: DocumentOut, 404: ErrorOut},
    summary="A document's metadata",
)
def document_api(request: ApiRequest, document_uuid: UUID) -> dict[str, Any]:
    return _out(get_document_for(actor=request.auth, document_uuid=document_uuid))


@router.get(
    "/{uuid:document_uuid}/file",
    response={200: None, 404: ErrorOut},
    summary="Download a document's file",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as PDF, JPEG or PNG",
                "content": {
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                    "image/png": {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def document_file_api(request: ApiRequest, document_uuid: UUID) -> HttpResponse:
    """The file as uploaded, as an attachment. Read whole (it is at most XT_UPLOAD_MAX_MB):
    a client gets a Content-Length and one body."""
    document = get_document_for(actor=request.auth, document_uuid=document_uuid)
    with document.file.open("rb") as handle:
        content = handle.read()
    extension = document.file.name.rsplit(".", 1)[-1]
    response = HttpResponse(content, content_type=document.content_type)
    filename = f"{document.kind}-{document.uuid}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "/{uuid:document_uuid}/replace",
    response={201: DocumentOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut,
              422: ErrorOut},
    summary="Replace a document with a corrected version",
)  # fmt: skip
def document_replace_api(
    request: ApiRequest,
    document_uuid: UUID,
    payload: Form[ReplaceIn],
    file: File[UploadedFile | None] = None,
) -> Status[dict[str, Any]]:
    """The new document supersedes the old one, which stays readable as `superseded`."""
    document = get_document_for(actor=request.auth, document_uuid=document_uuid, intent=CHANGE)
    new = document_replace(
        actor=request.auth, document=document, file=file, title=payload.title or None
    )
    return Status(201, _out(new))


@router.post(
    "/{uuid:document_uuid}/entered-in-error",
    response={200: DocumentOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Mark a document as entered in error",
)
def document_in_error_api(
    request: ApiRequest, document_uuid: UUID, payload: InErrorIn
) -> dict[str, Any]:
    document = get_document_for(actor=request.auth, document_uuid=document_uuid, intent=CHANGE)
    return _out(
        document_mark_in_error(actor=request.auth, document=document, reason=payload.reason)
    )
