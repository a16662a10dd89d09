"""Registering a resident: the master patient index's front door. Knowing a resident ID
opens nothing: a registration joins the known record only when the identity typed matches
it, and then reads only what the sharing rules give (docs/adr/0013)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Message, NotFound, NotPermitted, ValidationFailed
from xietong.core.events import event_emit
from xietong.directory.selectors import get_region

from ..access import can_register_patients
from ..models import (
    CareReason,
    CareRelationship,
    IdentifierSystem,
    IdentityConflict,
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

if TYPE_CHECKING:
    from xietong.directory.models import Region


def _region_or_none(code: str) -> Region | None:
    try:
        return get_region(code=code)
    except NotFound:
        return None


MRN_TAKEN = _("Your institution already uses this record number for another patient.")
KNOWN_ELSEWHERE = _(
    "This resident is registered at another institution too: added to your institution's "
    "patients. What other institutions hold opens with the patient's consent to share, or "
    "through emergency access."
)


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

    if address_region is not None and not isinstance(address_region, str):
        reg.address_region = address_region
    elif address_region and address_region.strip():
        code = address_region.strip()
        reg.address_region = _region_or_none(code)
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


def _claimed_here(institution_id: int | None, resident_id: str | None) -> Patient | None:
    """This institution's own record of a resident ID that the index holds for someone else
    (registered after a mismatch, below)."""
    if not resident_id:
        return None
    claim = (
        PatientIdentifier.objects.filter(
            system=IdentifierSystem.RESIDENT_ID, value=resident_id, assigner_id=institution_id
        )
        .select_related("patient")
        .first()
    )
    return claim.patient if claim else None


def _name_key(name: str) -> str:
    # Spaces and the middle dot of transliterated names are typed either way.
    return "".join(name.split()).replace("·", "").replace("•", "").casefold()


def _differing_fields(known: Patient, reg: _Registration) -> list[str]:
    fields = []
    if _name_key(known.name) != _name_key(reg.name):
        fields.append("name")
    if known.birth_date != reg.birth_date:
        fields.append("birth_date")
    if known.sex != reg.sex:
        fields.append("sex")
    return fields


def _conflict_record(actor: Actor, reg: _Registration, known: Patient) -> Patient:
    """The registrar typed a resident ID the index holds under another identity. Nothing of
    the known record is disclosed: the registration becomes a record of its own (the ID kept
    as this institution's claim) and a data-quality task is opened for a person to decide."""
    if reg.birth_date is None:  # validation has made sure of it
        raise ValidationFailed.single("birth_date", _("This field is required."))
    patient = Patient.objects.create(
        name=reg.name, sex=reg.sex, birth_date=reg.birth_date, resident_id=None,
        phone=reg.phone, address_region=reg.address_region, address=reg.address,
        ethnicity=reg.ethnicity, registered_by_id=_institution_id(actor),
    )  # fmt: skip
    PatientIdentifier.objects.create(
        patient=patient, system=IdentifierSystem.RESIDENT_ID, value=reg.resident_id or "",
        assigner_id=actor.institution_id,
    )  # fmt: skip
    differing = _differing_fields(known, reg)
    IdentityConflict.objects.create(
        patient=patient, known_patient=known, institution_id=_institution_id(actor),
        fields=differing,
    )  # fmt: skip
    audit_record(
        actor=actor, action="patient.identity_conflict", resource_type="Patient",
        resource_id=patient.uuid, patient_id=patient.pk,
        detail={"known_patient_id": known.pk, "fields": differing},
    )  # fmt: skip
    return patient


@dataclass(frozen=True)
class Registered:
    patient: Patient
    created: bool
    # The resident is known at another institution under the identity the registrar typed.
    known_elsewhere: bool = False


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
    """Register a resident at the actor's institution; (patient, created)."""
    done = patient_registration_make(
        actor=actor, name=name, sex=sex, birth_date=birth_date, resident_id=resident_id,
        phone=phone, address_region=address_region, address=address, ethnicity=ethnicity,
        mrn=mrn,
    )  # fmt: skip
    return done.patient, done.created


def patient_registration_make(
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
) -> Registered:
    """Register a resident at the actor's institution (docs/adr/0013).

    - A resident ID this institution already cares for returns that patient.
    - A resident ID known elsewhere joins the index record only when the typed name, birth
      date and sex match it (`known_elsewhere`); this institution then reads its own data
      and what is shared with it, never the other institutions' (their contact details
      included) without the patient's consent to share or a break-the-glass.
    - A mismatch becomes a record of its own and a data-quality task; the answer is that of
      a new registration, so typing an ID number discloses nothing."""
    if not can_register_patients(actor):
        raise NotPermitted(_("Your role does not allow registering patients."))
    reg = _registration_clean(
        name=name, sex=sex, birth_date=birth_date, resident_id=resident_id, phone=phone,
        address_region=address_region, address=address, ethnicity=ethnicity, mrn=mrn,
    )  # fmt: skip
    if reg.errors:
        raise ValidationFailed(reg.errors)
    institution_id = _institution_id(actor)
    target = _claimed_here(institution_id, reg.resident_id)
    if target is None and reg.resident_id:
        target = Patient.objects.filter(resident_id=reg.resident_id).first()
    cared_here = (
        target is not None
        and CareRelationship.objects.filter(patient=target, institution_id=institution_id).exists()
    )
    conflict = target is not None and not cared_here and bool(_differing_fields(target, reg))
    if reg.mrn:
        owner = _mrn_owner(institution_id, reg.mrn)
        if owner is not None and (target is None or conflict or owner.patient_id != target.pk):
            reg.error("mrn", MRN_TAKEN)
    if reg.errors:
        raise ValidationFailed(reg.errors)

    with transaction.atomic():
        known_elsewhere = False
        if target is not None and conflict:
            patient, created = _conflict_record(actor, reg, target), True
        elif target is not None:
            patient, created = target, False
            known_elsewhere = not cared_here
        else:
            patient, created = _create_or_find(actor, reg)
            if not created:  # a concurrent registration won: judge it like a known one
                return patient_registration_make(
                    actor=actor, name=name, sex=sex, birth_date=birth_date,
                    resident_id=resident_id, phone=phone, address_region=address_region,
                    address=address, ethnicity=ethnicity, mrn=mrn,
                )  # fmt: skip
        registrar = patient.registered_by_id == institution_id
        filled = _fill_blanks(patient, reg) if not created and registrar else []
        care, care_added = CareRelationship.objects.get_or_create(
            patient=patient,
            institution_id=institution_id,
            defaults={"reason": CareReason.REGISTERED, "phone": reg.phone, "address": reg.address},
        )
        if not care_added and not registrar:
            filled += _care_fill_blanks(care, reg)
        mrn_added = False
        if reg.mrn and _mrn_owner(institution_id, reg.mrn) is None:
            try:
                with transaction.atomic():
                    PatientIdentifier.objects.create(
                        patient=patient, system=IdentifierSystem.MRN, value=reg.mrn,
                        assigner_id=institution_id,
                    )  # fmt: skip
                mrn_added = True
            except IntegrityError:
                raise ValidationFailed.single("mrn", MRN_TAKEN) from None
        detail: dict[str, Any] = {"care_added": care_added, "mrn_added": mrn_added}
        if filled:
            detail["filled"] = filled
        if known_elsewhere:
            detail["known_elsewhere"] = True
        elif not created and target is not None and _differing_fields(patient, reg):
            # The same resident ID typed under another identity deserves a second look.
            detail["differs"] = _differing_fields(patient, reg)
        audit_record(
            actor=actor,
            action="patient.create" if created else "patient.update",
            resource_type="Patient",
            resource_id=patient.uuid,
            patient_id=patient.pk,
            detail=detail,
        )
        event_emit(
            "patient.registered",
            patient_id=patient.pk,
            patient_uuid=str(patient.uuid),
            institution_id=institution_id,
            created=created,
        )
    return Registered(patient=patient, created=created, known_elsewhere=known_elsewhere)


def _care_fill_blanks(care: CareRelationship, reg: _Registration) -> list[str]:
    """An institution that joined a record keeps its own way of reaching the patient."""
    filled = [n for n in ("phone", "address") if not getattr(care, n) and getattr(reg, n)]
    for n in filled:
        setattr(care, n, getattr(reg, n))
    if filled:
        care.save(update_fields=filled)
    return filled
