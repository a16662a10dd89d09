"""Adding and changing practitioners and their profiles in the expert library. A platform
administrator changes anyone's; an institution's administrator their own institution's
(access.py). A practitioner and their profile are validated together and saved in one
transaction, each change audited in it with the old and new value of every changed field."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.cleaning import fields_clean
from xietong.core.errors import Message, NotFound, ValidationFailed

from ..access import (
    EXPERT_ADD,
    EXPERT_CHANGE,
    PRACTITIONER_ADD,
    PRACTITIONER_CHANGE,
    directory_authorize,
    practitioner_institution_check,
)
from ..models import Department, Expert, Institution, Practitioner, Service
from ._common import audit_change, changed_fields, values_of

PRACTITIONER_FIELDS = (
    "name", "sex", "institution", "department", "title", "practising_since", "specialties",
    "licence_number",
)  # fmt: skip
EXPERT_FIELDS = ("active", "accepts", "bio")
# The earliest year anyone practising today began; later than this year is a typing slip.
PRACTISING_SINCE_EARLIEST = 1940
BIO_LENGTH_MAX = 2000


@dataclass(frozen=True)
class ExpertProfile:
    """A practitioner's entry in the expert library: whether they accept requests now, for
    which services, and the profile text requesters read."""

    active: bool
    accepts: tuple[str, ...]
    bio: str

    @property
    def empty(self) -> bool:
        return not (self.active or self.accepts or self.bio.strip())


def _practitioner_values(
    practitioner: Practitioner, *, name: str, sex: str, institution: Institution | None,
    department: Department | None, title: str, practising_since: int | None, specialties: str,
    licence_number: str,
) -> tuple[dict[str, Any], dict[str, list[Message]]]:  # fmt: skip
    values, errors = fields_clean(practitioner, {
        "name": name.strip(), "sex": sex, "title": title, "practising_since": practising_since,
        "specialties": specialties.strip(), "licence_number": licence_number.strip(),
    })  # fmt: skip
    year = values.get("practising_since")
    if year is not None and not PRACTISING_SINCE_EARLIEST <= year <= datetime.date.today().year:
        errors["practising_since"] = [
            _("Give the year practice began, between %(first)d and this year.")
            % {"first": PRACTISING_SINCE_EARLIEST}
        ]
    if institution is None:
        errors["institution"] = [_("Select the institution the practitioner works at.")]
    return {**values, "institution": institution, "department": department}, errors


def _expert_values(profile: ExpertProfile) -> tuple[dict[str, Any], dict[str, list[Message]]]:
    errors: dict[str, list[Message]] = {}
    unknown = set(profile.accepts) - set(Service.values)
    if unknown:
        errors["accepts"] = [_("Select valid services only.")]
    accepts = [s for s in Service.values if s in profile.accepts]  # the services' own order
    if profile.active and not accepts and not unknown:
        errors["accepts"] = [
            _("Choose at least one service the expert accepts, or switch accepting requests off.")
        ]
    bio = profile.bio.strip()
    if len(bio) > BIO_LENGTH_MAX:
        errors["bio"] = [_("Keep the profile within %(n)d characters.") % {"n": BIO_LENGTH_MAX}]
    return {"active": profile.active, "accepts": accepts, "bio": bio}, errors


def _checked(
    actor: Actor, practitioner: Practitioner, fields: dict[str, Any],
    profile: ExpertProfile | None,
) -> tuple[dict[str, Any], dict[str, Any] | None]:  # fmt: skip
    """The practitioner's and the profile's values, or one ValidationFailed naming every
    problem of both."""
    institution = fields["institution"]
    if institution is not None:
        practitioner_institution_check(actor, institution.pk)
    values, errors = _practitioner_values(practitioner, **fields)
    expert_values = None
    if profile is not None:
        expert_values, expert_errors = _expert_values(profile)
        errors.update(expert_errors)
    if errors:
        raise ValidationFailed(errors)
    return values, expert_values


def _expert_save(
    actor: Actor, practitioner: Practitioner, values: dict[str, Any], existing: Expert | None
) -> Expert | None:
    """Creates or changes the profile (inside the caller's transaction); a practitioner
    without one who is given an empty profile stays out of the library."""
    if existing is None:
        if not values["active"] and not values["accepts"] and not values["bio"]:
            return None
        directory_authorize(actor, EXPERT_ADD)
        expert = Expert.objects.create(practitioner=practitioner, **values)
        audit_change(actor=actor, action="expert.create", instance=expert, detail={
            "practitioner": str(practitioner.uuid),
            "fields": changed_fields({}, values_of(expert, EXPERT_FIELDS)),
        })  # fmt: skip
        return expert
    before = values_of(existing, EXPERT_FIELDS)
    for field, value in values.items():
        setattr(existing, field, value)
    changes = changed_fields(before, values_of(existing, EXPERT_FIELDS))
    if changes:
        directory_authorize(actor, EXPERT_CHANGE)
        existing.save()
        audit_change(actor=actor, action="expert.update", instance=existing, detail={
            "practitioner": str(practitioner.uuid), "fields": changes,
        })  # fmt: skip
    return existing


def _permissions(actor: Actor, wanted: Iterable[str]) -> None:
    for permission in wanted:
        directory_authorize(actor, permission)


def practitioner_create(
    *, actor: Actor, name: str, sex: str, institution: Institution | None,
    department: Department | None, title: str, practising_since: int | None,
    specialties: str, licence_number: str, expert: ExpertProfile | None = None,
) -> Practitioner:  # fmt: skip
    """A new practitioner at an institution the administrator manages, with their profile
    in the expert library when one is given (not empty)."""
    _permissions(actor, [PRACTITIONER_ADD] + ([EXPERT_ADD] if expert and not expert.empty else []))
    practitioner = Practitioner()
    values, expert_values = _checked(actor, practitioner, {
        "name": name, "sex": sex, "institution": institution, "department": department,
        "title": title, "practising_since": practising_since, "specialties": specialties,
        "licence_number": licence_number,
    }, expert)  # fmt: skip
    for field, value in values.items():
        setattr(practitioner, field, value)
    with transaction.atomic():
        practitioner.save()
        audit_change(actor=actor, action="practitioner.create", instance=practitioner, detail={
            "fields": changed_fields({}, values_of(practitioner, PRACTITIONER_FIELDS)),
        })  # fmt: skip
        if expert_values is not None:
            _expert_save(actor, practitioner, expert_values, None)
    return practitioner


def practitioner_update(
    *, actor: Actor, practitioner: Practitioner, name: str, sex: str,
    institution: Institution | None, department: Department | None, title: str,
    practising_since: int | None, specialties: str, licence_number: str,
    expert: ExpertProfile | None = None,
) -> Practitioner:  # fmt: skip
    """Changes a practitioner (and their profile, when `expert` is given); nothing is
    recorded for what did not change."""
    _permissions(actor, [PRACTITIONER_CHANGE])
    with transaction.atomic():
        stored = Practitioner.objects.select_for_update().filter(pk=practitioner.pk).first()
        if stored is None:
            raise NotFound(_("There is no such practitioner."))
        practitioner_institution_check(actor, stored.institution_id)
        values, expert_values = _checked(actor, stored, {
            "name": name, "sex": sex, "institution": institution, "department": department,
            "title": title, "practising_since": practising_since, "specialties": specialties,
            "licence_number": licence_number,
        }, expert)  # fmt: skip
        before = values_of(stored, PRACTITIONER_FIELDS)
        for field, value in values.items():
            setattr(stored, field, value)
        changes = changed_fields(before, values_of(stored, PRACTITIONER_FIELDS))
        if changes:
            stored.save()
            audit_change(actor=actor, action="practitioner.update", instance=stored,
                         detail={"fields": changes})  # fmt: skip
        if expert_values is not None:
            existing = Expert.objects.select_for_update().filter(practitioner=stored).first()
            _expert_save(actor, stored, expert_values, existing)
    return stored


def expert_profile_set(
    *, actor: Actor, practitioner: Practitioner, profile: ExpertProfile
) -> Expert | None:
    """Sets a practitioner's profile in the expert library (None: they have none and were
    given an empty one). Switching accepting requests off keeps the profile and its
    history; the library no longer offers the expert."""
    with transaction.atomic():
        stored = Practitioner.objects.select_for_update().filter(pk=practitioner.pk).first()
        if stored is None:
            raise NotFound(_("There is no such practitioner."))
        practitioner_institution_check(actor, stored.institution_id)
        values, errors = _expert_values(profile)
        if errors:
            raise ValidationFailed(errors)
        existing = Expert.objects.select_for_update().filter(practitioner=stored).first()
        return _expert_save(actor, stored, values, existing)
