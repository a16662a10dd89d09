"""Registering a resident: the master patient index's front door. A second registration
of the same resident ID finds the existing patient and adds the care relationship."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Message, NotPermitted, ValidationFailed
from xietong.core.events import event_emit
from xietong.directory.models import Region

from ..access import can_register_patients
from ..models import (
    CareReason,
    CareRelationship,
    IdentifierSystem,
    Patient,
    PatientIdentifier,
    Sex,
)
from ..residentid import EARLIEST_BIRTH, ResidentIdInvalid, resident_id_parse
from ..validation import (
    FieldInvalid,
    identifier_value_normalise,
    interpolate,
    person_name_check,
    phone_normalise,
)
from ._common import _institution_id

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
    try:
        person_name_check(reg.name)
    except FieldInvalid as exc:
        reg.error("name", exc.message)
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
