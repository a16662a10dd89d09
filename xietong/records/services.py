"""Writes of clinical documents: upload, documents the platform produces, replacement and
marking in error. Each authorizes, validates, stores the file and writes the row in one
step (the file is removed when the row is not written), audits and emits an event."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import (
    Conflict,
    DomainError,
    Message,
    NotFound,
    NotPermitted,
    ValidationFailed,
)
from xietong.core.events import event_emit
from xietong.core.files import FileInfo, file_inspect, file_size, image_implausible
from xietong.patients.access import (
    REGISTER_ROLES,
    can_view_patients,
    patient_seen_by,
    patient_visible_to,
)
from xietong.patients.validation import image_too_large_message, interpolate

from .models import ClinicalDocument, DocumentKind, DocumentStatus, RetentionClass
from .sharing import document_writable_by, generated_document_writable_by

if TYPE_CHECKING:
    from xietong.patients.models import Patient

# Clinical roles that file documents to a patient they can see; pharmacists only read.
UPLOAD_ROLES = REGISTER_ROLES
TITLE_MAX = 120
REASON_MAX = 200
SOURCE_MAX = 80


class FileTooLarge(DomainError):
    """An upload over XT_UPLOAD_MAX_MB (413 in the API)."""

    status = 413
    code = "too_large"


def upload_limit_bytes() -> int:
    return int(settings.XT_UPLOAD_MAX_MB) * 1024 * 1024


def _institution_id(actor: Actor) -> int:
    # Set for anyone who passed _authorize: patient visibility needs an institution.
    assert actor.institution_id is not None
    return actor.institution_id


def _authorize(
    actor: Actor, patient: Patient, source: str = "", *, generated: bool = False
) -> None:
    writable = generated_document_writable_by if generated else document_writable_by
    source = (source or "").strip()
    role_files = actor.has_role(*UPLOAD_ROLES)
    if (
        role_files
        and can_view_patients(actor)
        and writable(actor=actor, patient=patient, source=source)
    ):
        # What lets a person file to a record (their institution's care of the patient, or
        # their grant for this work) is what makes the patient visible to them
        # (patients/access.py): one question answers both.
        patient_seen_by(actor, patient)
        return
    if not patient_visible_to(actor, patient):
        raise NotFound()
    if not role_files:
        raise NotPermitted(_("Your role does not allow filing documents to a patient's record."))
    # Visible and their role files documents, but not as a party to this record (or no
    # longer: the work ended): the refusal rule's 409.
    raise Conflict(
        _(
            "Your access to this patient is for the consultation or referral you take "
            "part in; it does not let you file other documents to the record."
        )
    )


def can_change_document(actor: Actor, document: ClinicalDocument) -> bool:
    """Only the institution that filed a document (or its author) corrects it."""
    return actor.has_role(*UPLOAD_ROLES) and (
        document.institution_id == actor.institution_id or document.created_by_id == actor.user_id
    )


def _authorize_change(actor: Actor, document: ClinicalDocument) -> None:
    _authorize(actor, document.patient, document.source)
    if not can_change_document(actor, document):
        # Visible, and their role files documents: the wrong party to this one (409).
        raise Conflict(_("Only the institution that filed this document can change it."))


def _check_file(upload: Any) -> FileInfo:
    if upload is None:
        raise ValidationFailed.single("file", _("Choose a file."))
    size = file_size(upload)
    if size > upload_limit_bytes():
        raise FileTooLarge(
            interpolate(
                _("The file is larger than %(limit)d MB. Use a lower resolution or split it."),
                limit=int(settings.XT_UPLOAD_MAX_MB),
            )
        )
    if size == 0:
        raise ValidationFailed.single("file", _("The file is empty."))
    info = file_inspect(upload)
    if info is None:
        raise ValidationFailed.single("file", _("The file must be a PDF, JPEG or PNG file."))
    if image_implausible(info):
        raise ValidationFailed.single(
            "file", image_too_large_message(info.width or 0, info.height or 0)
        )
    return info


def _check_fields(kind: str, title: str, clinical_date: dt.date | None, source: str) -> str:
    errors: dict[str, list[Message]] = {}
    if kind not in DocumentKind.values:
        errors["kind"] = [_("Select a valid choice.")]
    cleaned = (title or "").strip()
    if not cleaned:
        errors["title"] = [_("This field is required.")]
    elif len(cleaned) > TITLE_MAX:
        errors["title"] = [interpolate(_("At most %(limit)d characters."), limit=TITLE_MAX)]
    if clinical_date is not None and clinical_date > timezone.localdate():
        errors["clinical_date"] = [_("The date cannot be in the future.")]
    if len(source) > SOURCE_MAX:
        errors["source"] = [interpolate(_("At most %(limit)d characters."), limit=SOURCE_MAX)]
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _retention_for(kind: str) -> str:
    return (
        RetentionClass.AUDIO_VIDEO if kind == DocumentKind.RECORDING else RetentionClass.OUTPATIENT
    )


def _store(
    *,
    actor: Actor,
    patient: Patient,
    kind: str,
    title: str,
    upload: Any,
    info: FileInfo,
    clinical_date: dt.date | None,
    source: str,
    retention: str | None,
    replaces: ClinicalDocument | None = None,
) -> ClinicalDocument:
    field = ClinicalDocument._meta.get_field("file")
    storage = field.storage
    # Our own name: the uploader's file name is neither trusted nor kept.
    stored = storage.save(
        field.generate_filename(None, f"{uuid.uuid4().hex}{info.extension}"), upload
    )
    try:
        with transaction.atomic():
            if replaces is not None:
                # Locked and re-read: two replacements of one document cannot both win.
                old = ClinicalDocument.objects.select_for_update().get(pk=replaces.pk)
                if old.status != DocumentStatus.CURRENT:
                    raise Conflict(_("This document has already been replaced or withdrawn."))
                old.status = DocumentStatus.SUPERSEDED
                old.save(update_fields=["status", "updated_at"])
            document = ClinicalDocument.objects.create(
                patient=patient,
                institution_id=_institution_id(actor),
                created_by_id=actor.user_id,
                kind=kind,
                title=title,
                clinical_date=clinical_date,
                file=stored,
                content_type=info.content_type,
                size=info.size,
                sha256=info.sha256,
                source=source,
                retention=retention or _retention_for(kind),
                supersedes=replaces,
            )
            detail: dict[str, Any] = {
                "kind": kind, "sha256": info.sha256, "size": info.size, "source": source,
            }  # fmt: skip
            if replaces is not None:
                detail["supersedes"] = str(replaces.uuid)
            audit_record(
                actor=actor,
                action="document_reference.create",
                resource_type="DocumentReference",
                resource_id=document.uuid,
                patient_id=patient.pk,
                detail=detail,
            )
            event_emit(
                "record.replaced" if replaces is not None else "record.uploaded",
                document_id=document.pk,
                patient_id=patient.pk,
                kind=kind,
                source=source,
            )
    except BaseException:
        storage.delete(stored)  # nothing is kept of a document that was not recorded
        raise
    return document


def document_upload(
    *,
    actor: Actor,
    patient: Patient,
    kind: str,
    title: str,
    file: Any,
    clinical_date: dt.date | None = None,
    source: str = "",
    retention: str | None = None,
) -> ClinicalDocument:
    """File a document (PDF, JPEG or PNG, judged by its content) to a patient's record."""
    _authorize(actor, patient, source)
    source = (source or "").strip()
    cleaned = _check_fields(kind, title, clinical_date, source)
    if retention is not None and retention not in RetentionClass.values:
        raise ValidationFailed.single("retention", _("Select a valid choice."))
    info = _check_file(file)
    return _store(
        actor=actor, patient=patient, kind=kind, title=cleaned, upload=file, info=info,
        clinical_date=clinical_date, source=source, retention=retention,
    )  # fmt: skip


def document_store_generated(
    *,
    actor: Actor,
    patient: Patient,
    kind: str,
    title: str,
    content: bytes,
    content_type: str,
    source: str = "",
    clinical_date: dt.date | None = None,
) -> ClinicalDocument:
    """File a document the platform produced for the actor (a signed opinion as PDF, a
    referral slip). Its declared type must match its content, as for an upload."""
    _authorize(actor, patient, source, generated=True)
    source = (source or "").strip()
    cleaned = _check_fields(kind, title, clinical_date, source)
    upload = ContentFile(content, name="generated")
    info = _check_file(upload)
    if info.content_type != content_type:
        raise ValidationFailed.single("file", _("The file must be a PDF, JPEG or PNG file."))
    return _store(
        actor=actor, patient=patient, kind=kind, title=cleaned, upload=upload, info=info,
        clinical_date=clinical_date, source=source, retention=None,
    )  # fmt: skip


def document_replace(
    *,
    actor: Actor,
    document: ClinicalDocument,
    file: Any,
    title: str | None = None,
    clinical_date: dt.date | None = None,
) -> ClinicalDocument:
    """A corrected version: the new document supersedes the old, which stays readable."""
    _authorize_change(actor, document)
    if document.status != DocumentStatus.CURRENT:
        raise Conflict(_("This document has already been replaced or withdrawn."))
    day = clinical_date or document.clinical_date
    cleaned = _check_fields(document.kind, title or document.title, day, document.source)
    info = _check_file(file)
    return _store(
        actor=actor, patient=document.patient, kind=document.kind, title=cleaned, upload=file,
        info=info, clinical_date=day, source=document.source, retention=document.retention,
        replaces=document,
    )  # fmt: skip


def document_mark_in_error(
    *, actor: Actor, document: ClinicalDocument, reason: str
) -> ClinicalDocument:
    """Filed by mistake (wrong patient, wrong file): kept, but shown as entered in error."""
    _authorize_change(actor, document)
    cleaned = (reason or "").strip()
    if not cleaned:
        raise ValidationFailed.single("reason", _("Say why the document is in error."))
    if len(cleaned) > REASON_MAX:
        raise ValidationFailed.single(
            "reason", interpolate(_("At most %(limit)d characters."), limit=REASON_MAX)
        )
    with transaction.atomic():
        locked = ClinicalDocument.objects.select_for_update().get(pk=document.pk)
        if locked.status == DocumentStatus.ENTERED_IN_ERROR:
            raise Conflict(_("This document is already marked as entered in error."))
        locked.status = DocumentStatus.ENTERED_IN_ERROR
        locked.error_reason = cleaned
        locked.save(update_fields=["status", "error_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="document_reference.update",
            resource_type="DocumentReference",
            resource_id=locked.uuid,
            patient_id=locked.patient_id,
            detail={"status": DocumentStatus.ENTERED_IN_ERROR, "reason": cleaned},
        )
        event_emit(
            "record.entered_in_error",
            document_id=locked.pk,
            patient_id=locked.patient_id,
            source=locked.source,
        )
    document.status, document.error_reason = locked.status, locked.error_reason
    return document


@dataclass(frozen=True)
class DocumentFile:
    """One file of a batch, with its own title and the date of its examination or visit."""

    file: Any
    title: str
    clinical_date: dt.date | None = None


def documents_upload(
    *,
    actor: Actor,
    patient: Patient,
    kind: str,
    title: str,
    files: list[Any],
    clinical_date: dt.date | None = None,
    source: str = "",
) -> list[ClinicalDocument]:
    """Several files under one title (the pages of a paper record photographed one by one):
    all are checked before any is stored, and either all are filed or none. With more than
    one file each title gets its page number. Files that each have a title of their own go
    through documents_upload_each."""
    _authorize(actor, patient, source)
    source = (source or "").strip()
    cleaned = _check_fields(kind, title, clinical_date, source)
    if not files:
        raise ValidationFailed.single("file", _("Choose a file."))
    infos: list[FileInfo] = []
    for upload in files:
        try:
            infos.append(_check_file(upload))
        except ValidationFailed as exc:
            name = getattr(upload, "name", "") or ""
            raise ValidationFailed.single(
                "file",
                interpolate(_("%(name)s: %(error)s"), name=name, error=exc.fields["file"][0]),
            ) from None
    count = len(files)
    suffix_room = len(f" ({count}/{count})") if count > 1 else 0
    base = cleaned[: TITLE_MAX - suffix_room]
    titles = [f"{base} ({n}/{count})" if count > 1 else base for n in range(1, count + 1)]
    return _store_all(
        actor=actor, patient=patient, kind=kind, source=source,
        prepared=[(upload, info, each, clinical_date)
                  for upload, info, each in zip(files, infos, titles, strict=True)],
    )  # fmt: skip


def documents_upload_each(
    *,
    actor: Actor,
    patient: Patient,
    kind: str,
    items: Sequence[DocumentFile],
    source: str = "",
) -> list[ClinicalDocument]:
    """Several files at once, each filed under its own title and date (a laboratory report
    and last week's X-ray report brought together): every one is checked before any is
    stored, and either all are filed or none. A refusal names the item it is about
    ("items.0.title", "items.2.file"; "kind" and "source" are the batch's), every problem
    at once; a file over the size limit is its item's error too."""
    _authorize(actor, patient, source)
    source = (source or "").strip()
    if not items:
        raise ValidationFailed.single("file", _("Choose a file."))
    errors: dict[str, list[Message]] = {}
    prepared: list[tuple[Any, FileInfo, str, dt.date | None]] = []
    for index, item in enumerate(items):
        title = ""
        try:
            title = _check_fields(kind, item.title, item.clinical_date, source)
        except ValidationFailed as exc:
            for name, messages in exc.fields.items():
                key = name if name in ("kind", "source") else f"items.{index}.{name}"
                if key not in errors:  # the batch's own fields are said once
                    errors[key] = list(messages)
        try:
            info = _check_file(item.file)
        except ValidationFailed as exc:
            errors[f"items.{index}.file"] = list(exc.fields["file"])
            continue
        except FileTooLarge as exc:
            errors[f"items.{index}.file"] = [exc.message]
            continue
        prepared.append((item.file, info, title, item.clinical_date))
    if errors:
        raise ValidationFailed(errors)
    return _store_all(actor=actor, patient=patient, kind=kind, source=source, prepared=prepared)


def _store_all(
    *,
    actor: Actor,
    patient: Patient,
    kind: str,
    source: str,
    prepared: Sequence[tuple[Any, FileInfo, str, dt.date | None]],
) -> list[ClinicalDocument]:
    """Files already checked, stored together: if one cannot be, none is kept."""
    documents: list[ClinicalDocument] = []
    try:
        with transaction.atomic():
            for upload, info, title, clinical_date in prepared:
                documents.append(
                    _store(
                        actor=actor,
                        patient=patient,
                        kind=kind,
                        title=title,
                        upload=upload,
                        info=info,
                        clinical_date=clinical_date,
                        source=source,
                        retention=None,
                    )
                )
    except BaseException:
        for document in documents:  # rolled back: their files go too
            document.file.storage.delete(document.file.name)
        raise
    return documents
