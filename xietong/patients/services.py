"""Writes to patients: registration (the master patient index's front door), identifiers,
and written consents. Each service authorizes, validates everything, then writes and
audits in one transaction and emits its event after commit."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Conflict, Message, NotFound, NotPermitted, ValidationFailed
from xietong.core.events import event_emit
from xietong.directory.models import Region

from .access import can_register_patients, patient_visible_to
from .models import (
    CareReason,
    CareRelationship,
    Consent,
    ConsentKind,
    ConsentRelationship,
    ConsentStatus,
    IdentifierSystem,
    Patient,
    PatientIdentifier,
    Sex,
)
from .residentid import EARLIEST_BIRTH, ResidentIdInvalid, resident_id_parse
from .validation import (
    FieldInvalid,
    identifier_value_normalise,
    interpolate,
    phone_normalise,
    scan_inspect,
)

MRN_TAKEN = _("Your institution already uses this record number for another patient.")


@dataclass
class _Registration:
    name: str = ""
    sex: str = ""
    birth_date: dt.date | None = None
    resident_id: str | None = None
    phone: str = ""
    address_region: Region | None = None
    address: str = ""
    ethnicity: str = ""
    mrn: str = ""
    errors: dict[str, list[Message]] = field(default_factory=dict)

    def error(self, name: str, message: Message) -> None:
        self.errors.setdefault(name, []).append(message)


def _required_text(reg: _Registration, name: str, value: str | None, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        reg.error(name, _("This field is required."))
    elif len(text) > limit:
        reg.error(name, interpolate(_("At most %(limit)d characters."), limit=limit))
    return text


def _optional_text(reg: _Registration, name: str, value: str | None, limit: int) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        reg.error(name, interpolate(_("At most %(limit)d characters."), limit=limit))
    return text


def _registration_clean(
    *, name: str, sex: str | None, birth_date: dt.date | str | None, resident_id: str | None,
    phone: str, address_region: Region | str | None, address: str, ethnicity: str, mrn: str,
) -> _Registration:  # fmt: skip
    reg = _Registration()
    reg.name = _required_text(reg, "name", name, 60)
    reg.address = _optional_text(reg, "address", address, 200)
    reg.ethnicity = _optional_text(reg, "ethnicity", ethnicity, 20)
    today = timezone.localdate()

    parsed = None
    if resident_id and resident_id.strip():
        try:
            parsed = resident_id_parse(resident_id, today=today)
            reg.resident_id = parsed.value
        except ResidentIdInvalid as exc:
            reg.error("resident_id", exc.message)

    wanted_sex = (sex or "").strip()
    if wanted_sex and wanted_sex not in Sex.values:
        reg.error("sex", _("Select a valid choice."))
    elif parsed is not None:
        if wanted_sex and wanted_sex != Sex.UNKNOWN and wanted_sex != parsed.sex:
            reg.error(
                "sex", interpolate(_("The resident ID says %(sex)s."), sex=Sex(parsed.sex).label)
            )
        reg.sex = parsed.sex
    elif wanted_sex:
        reg.sex = wanted_sex
    elif not reg.errors.get("resident_id"):
        reg.error("sex", _("Select the sex, or enter the resident ID."))

    if isinstance(birth_date, str):
        # Callers outside a form (scripts, imports) pass ISO text.
        try:
            birth_date = dt.date.fromisoformat(birth_date.strip()) if birth_date.strip() else None
        except ValueError:
            reg.error("birth_date", _("Enter a valid date (YYYY-MM-DD)."))
            birth_date = None
    if birth_date is not None and birth_date > today:
        reg.error("birth_date", _("The birth date cannot be in the future."))
    elif birth_date is not None and birth_date < EARLIEST_BIRTH:
        reg.error("birth_date", _("The birth date cannot be before 1900."))
    elif parsed is not None:
        if birth_date is not None and birth_date != parsed.birth_date:
            reg.error(
                "birth_date",
                interpolate(
                    _("The resident ID says the birth date is %(date)s."),
                    date=parsed.birth_date.isoformat(),
                ),
            )
        reg.birth_date = parsed.birth_date
    elif birth_date is not None:
        reg.birth_date = birth_date
    elif not reg.errors.get("resident_id") and not reg.errors.get("birth_date"):
        reg.error("birth_date", _("Enter the birth date, or the resident ID."))

    if phone and phone.strip():
        try:
            reg.phone = phone_normalise(phone)
        except FieldInvalid as exc:
            reg.error("phone", exc.message)

    if isinstance(address_region, Region):
        reg.address_region = address_region
    elif address_region and str(address_region).strip():
        code = str(address_region).strip()
        reg.address_region = Region.objects.filter(code=code).first()
        if reg.address_region is None:
            reg.error(
                "address_region", interpolate(_("No region has the code %(code)s."), code=code)
            )

    if mrn and mrn.strip():
        try:
            reg.mrn = identifier_value_normalise(mrn)
        except FieldInvalid as exc:
            reg.error("mrn", exc.message)
    return reg


def _mrn_owner(institution_id: int | None, value: str) -> PatientIdentifier | None:
    return PatientIdentifier.objects.filter(
        system=IdentifierSystem.MRN, assigner_id=institution_id, value=value
    ).first()


def _institution_id(actor: Actor) -> int:
    if actor.institution_id is None:
        raise NotPermitted(_("Act through a membership of an institution."))
    return actor.institution_id


def _create_or_find(actor: Actor, reg: _Registration) -> tuple[Patient, bool]:
    if reg.birth_date is None:  # validation has made sure of it
        raise ValidationFailed.single("birth_date", _("This field is required."))
    try:
        with transaction.atomic():
            patient = Patient.objects.create(
                name=reg.name,
                sex=reg.sex,
                birth_date=reg.birth_date,
                resident_id=reg.resident_id,
                phone=reg.phone,
                address_region=reg.address_region,
                address=reg.address,
                ethnicity=reg.ethnicity,
                registered_by_id=_institution_id(actor),
            )
            if reg.resident_id:
                # Kept among the identifiers too, so cross-references (PIX) look in one place.
                PatientIdentifier.objects.create(
                    patient=patient, system=IdentifierSystem.RESIDENT_ID, value=reg.resident_id
                )
        return patient, True
    except IntegrityError:
        # Another registration of the same resident ID committed after our look-up: the
        # unique constraint decided, and we join the patient it created.
        found = (
            Patient.objects.filter(resident_id=reg.resident_id).first() if reg.resident_id else None
        )
        if found is None:
            raise
        return found, False


def _fill_blanks(patient: Patient, reg: _Registration) -> list[str]:
    """An existing record keeps what it holds; a second registration only fills gaps."""
    filled = []
    for name in ("phone", "address", "ethnicity", "address_region"):
        if not getattr(patient, name) and getattr(reg, name):
            setattr(patient, name, getattr(reg, name))
            filled.append(name)
    if filled:
        patient.save(update_fields=[*filled, "updated_at"])
    return filled


def patient_register(
    *,
    actor: Actor,
    name: str,
    sex: str | None = None,
    birth_date: dt.date | str | None = None,
    resident_id: str | None = None,
    phone: str = "",
    address_region: Region | str | None = None,
    address: str = "",
    ethnicity: str = "",
    mrn: str = "",
) -> tuple[Patient, bool]:
    """Register a resident at the actor's institution. A resident ID already known returns
    that patient (created False) and puts them in the institution's care."""
    if not can_register_patients(actor):
        raise NotPermitted(_("Your role does not allow registering patients."))
    reg = _registration_clean(
        name=name, sex=sex, birth_date=birth_date, resident_id=resident_id, phone=phone,
        address_region=address_region, address=address, ethnicity=ethnicity, mrn=mrn,
    )  # fmt: skip
    existing = (
        Patient.objects.filter(resident_id=reg.resident_id).first() if reg.resident_id else None
    )
    if reg.mrn:
        owner = _mrn_owner(actor.institution_id, reg.mrn)
        if owner is not None and (existing is None or owner.patient_id != existing.pk):
            reg.error("mrn", MRN_TAKEN)
    if reg.errors:
        raise ValidationFailed(reg.errors)

    with transaction.atomic():
        if existing is not None:
            patient, created = existing, False
        else:
            patient, created = _create_or_find(actor, reg)
        filled = [] if created else _fill_blanks(patient, reg)
        care_added = CareRelationship.objects.get_or_create(
            patient=patient,
            institution_id=actor.institution_id,
            defaults={"reason": CareReason.REGISTERED},
        )[1]
        mrn_added = False
        if reg.mrn and _mrn_owner(actor.institution_id, reg.mrn) is None:
            try:
                with transaction.atomic():
                    PatientIdentifier.objects.create(
                        patient=patient, system=IdentifierSystem.MRN, value=reg.mrn,
                        assigner_id=actor.institution_id,
                    )  # fmt: skip
                mrn_added = True
            except IntegrityError:
                raise ValidationFailed.single("mrn", MRN_TAKEN) from None
        detail: dict[str, Any] = {"care_added": care_added, "mrn_added": mrn_added}
        if filled:
            detail["filled"] = filled
        if not created and patient.name != reg.name:
            # The same resident ID under another name deserves a second look by a person.
            detail["name_differs"] = True
        audit_record(
            actor=actor,
            action="create" if created else "update",
            resource_type="Patient",
            resource_id=patient.uuid,
            patient_id=patient.pk,
            detail=detail,
        )
        event_emit(
            "patient.registered",
            patient_id=patient.pk,
            patient_uuid=str(patient.uuid),
            institution_id=actor.institution_id,
            created=created,
        )
    return patient, created


def _authorize_on(actor: Actor, patient: Patient) -> None:
    if not patient_visible_to(actor, patient):
        raise NotFound()
    if not can_register_patients(actor):
        raise NotPermitted(_("Your role does not allow changing patient records."))


def patient_identifier_add(
    *, actor: Actor, patient: Patient, system: str, value: str
) -> PatientIdentifier:
    """A medical record number (assigned by the actor's institution) or an insurance card."""
    _authorize_on(actor, patient)
    errors: dict[str, list[Message]] = {}
    if system not in (IdentifierSystem.MRN, IdentifierSystem.INSURANCE):
        errors["system"] = [_("Select a valid choice.")]
    try:
        cleaned = identifier_value_normalise(value or "")
    except FieldInvalid as exc:
        errors["value"] = [exc.message]
    if errors:
        raise ValidationFailed(errors)
    assigner_id = actor.institution_id if system == IdentifierSystem.MRN else None
    taken = PatientIdentifier.objects.filter(
        system=system, assigner_id=assigner_id, value=cleaned
    ).first()
    if taken is not None:
        if taken.patient_id == patient.pk:
            raise ValidationFailed.single("value", _("This patient already has this identifier."))
        raise ValidationFailed.single("value", _("This identifier belongs to another patient."))
    try:
        with transaction.atomic():
            identifier = PatientIdentifier.objects.create(
                patient=patient, system=system, value=cleaned, assigner_id=assigner_id
            )
            audit_record(
                actor=actor,
                action="update",
                resource_type="Patient",
                resource_id=patient.uuid,
                patient_id=patient.pk,
                detail={"identifier_added": system},
            )
            event_emit("patient.identifier_added", patient_id=patient.pk, system=system)
    except IntegrityError:
        raise ValidationFailed.single(
            "value", _("This identifier belongs to another patient.")
        ) from None
    return identifier


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
                action="create",
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
            action="update",
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
