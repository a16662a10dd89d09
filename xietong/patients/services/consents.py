"""Written consents (telemedicine, recording) with their scans, and their withdrawal."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Conflict, Message, ValidationFailed
from xietong.core.events import event_emit
from xietong.core.names import name_problem

from ..models import (
    Consent,
    ConsentKind,
    ConsentRelationship,
    ConsentStatus,
    Patient,
)
from ..validation import (
    FieldInvalid,
    interpolate,
    scan_inspect,
)
from ._common import _authorize_on, _institution_id


def consent_record(
    *,
    actor: Actor,
    patient: Patient,
    kind: str,
    signed_on: dt.date | None,
    signed_by: str,
    relationship: str,
    scan: Any,
    note: str = "",
) -> Consent:
    """File a signed informed consent with its scan (PDF, JPEG or PNG, judged by content)."""
    _authorize_on(actor, patient)
    errors: dict[str, list[Message]] = {}
    if kind not in ConsentKind.values:
        errors["kind"] = [_("Select a valid choice.")]
    if relationship not in ConsentRelationship.values:
        errors["relationship"] = [_("Select a valid choice.")]
    if signed_on is None:
        errors["signed_on"] = [_("This field is required.")]
    elif signed_on > timezone.localdate():
        errors["signed_on"] = [_("The signing date cannot be in the future.")]
    elif signed_on < patient.birth_date:
        errors["signed_on"] = [_("The signing date cannot be before the patient's birth.")]
    signer = (signed_by or "").strip()
    if not signer:
        errors["signed_by"] = [_("This field is required.")]
    elif len(signer) > 60:
        errors["signed_by"] = [interpolate(_("At most %(limit)d characters."), limit=60)]
    elif (problem := name_problem(signer)) is not None:
        errors["signed_by"] = [problem]
    if len((note or "").strip()) > 200:
        errors["note"] = [interpolate(_("At most %(limit)d characters."), limit=200)]
    try:
        info = scan_inspect(scan)
    except FieldInvalid as exc:
        errors["scan"] = [exc.message]
    if errors or signed_on is None:
        raise ValidationFailed(errors)

    scan_field = Consent._meta.get_field("scan")
    storage = scan_field.storage
    # Our own name: the uploader's file name is neither trusted nor kept.
    stored = storage.save(
        scan_field.generate_filename(None, f"{uuid.uuid4().hex}{info.extension}"),
        scan,
    )
    try:
        with transaction.atomic():
            consent = Consent.objects.create(
                patient=patient,
                kind=kind,
                signed_on=signed_on,
                signed_by=signer,
                relationship=relationship,
                institution_id=_institution_id(actor),
                recorded_by_id=actor.user_id,
                scan=stored,
                scan_sha256=info.sha256,
                scan_content_type=info.content_type,
                note=(note or "").strip(),
            )
            audit_record(
                actor=actor,
                action="consent.create",
                resource_type="Consent",
                resource_id=consent.uuid,
                patient_id=patient.pk,
                detail={"kind": kind, "sha256": info.sha256, "size": info.size},
            )
            event_emit("consent.recorded", patient_id=patient.pk, consent_id=consent.pk, kind=kind)
    except BaseException:
        storage.delete(stored)  # nothing is kept of a consent that was not recorded
        raise
    return consent


def consent_withdraw(*, actor: Actor, consent: Consent, reason: str = "") -> Consent:
    """The patient withdraws a consent: it stays on file, marked inactive."""
    _authorize_on(actor, consent.patient)
    if consent.status != ConsentStatus.ACTIVE:
        raise Conflict(_("This consent has already been withdrawn."))
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise ValidationFailed.single(
            "reason", interpolate(_("At most %(limit)d characters."), limit=200)
        )
    with transaction.atomic():
        updated = Consent.objects.filter(pk=consent.pk, status=ConsentStatus.ACTIVE).update(
            status=ConsentStatus.INACTIVE,
            withdrawn_at=timezone.now(),
            note=reason or consent.note,
            updated_at=timezone.now(),
        )
        if not updated:
            raise Conflict(_("This consent has already been withdrawn."))
        audit_record(
            actor=actor,
            action="consent.update",
            resource_type="Consent",
            resource_id=consent.uuid,
            patient_id=consent.patient_id,
            detail={"status": ConsentStatus.INACTIVE, "reason": reason},
        )
        event_emit(
            "consent.withdrawn",
            patient_id=consent.patient_id,
            consent_id=consent.pk,
            kind=consent.kind,
        )
    consent.refresh_from_db()
    return consent
