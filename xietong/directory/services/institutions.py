"""Adding and changing institutions, and taking them out of use and back. A platform
administrator's work, each change audited in its transaction with the old and new value of
every field it changed. Everything is validated before anything is written."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.cleaning import fields_clean
from xietong.core.errors import Conflict, Message, NotFound, ValidationFailed

from ..access import INSTITUTION_ADD, INSTITUTION_CHANGE, directory_authorize, platform_required
from ..models import Institution, Region
from ._common import audit_change, changed_fields, values_of

# What the pages change, in the order the audit record names them.
INSTITUTION_FIELDS = (
    "code", "name", "short_name", "level", "kind", "grade", "region", "upline", "address",
    "phone",
)  # fmt: skip
CODE_TAKEN = _("Another institution already has this code.")
# An upline chain longer than this is a loop someone made in the admin: stop walking.
UPLINE_DEPTH_MAX = 12


def _upline_problem(institution: Institution, upline: Institution | None) -> Message | None:
    """Why `upline` cannot be above `institution`: itself, or one of those below it."""
    if upline is None or institution.pk is None:
        return None
    if upline.pk == institution.pk:
        return _("An institution cannot be its own upline.")
    above: int | None = upline.upline_id
    for _step in range(UPLINE_DEPTH_MAX):
        if above is None:
            return None
        if above == institution.pk:
            return _("This institution is above the one chosen: choose one higher up.")
        above = Institution.objects.filter(pk=above).values_list("upline_id", flat=True).first()
    return None


def _cleaned(
    institution: Institution, *, code: str, name: str, short_name: str, level: str, kind: str,
    grade: str, region: Region | None, upline: Institution | None, address: str, phone: str,
) -> dict[str, Any]:  # fmt: skip
    """The values to save, or ValidationFailed naming every problem."""
    values, errors = fields_clean(institution, {
        "code": code.strip(), "name": name.strip(), "short_name": short_name.strip(),
        "level": level, "kind": kind, "grade": grade, "address": address.strip(),
        "phone": phone.strip(),
    })  # fmt: skip
    taken = Institution.objects.filter(code__iexact=values.get("code", "")).exclude(
        pk=institution.pk
    )
    if "code" in values and taken.exists():
        errors["code"] = [CODE_TAKEN]
    if region is None:
        errors["region"] = [_("Select the region the institution is in.")]
    if problem := _upline_problem(institution, upline):
        errors["upline"] = [problem]
    if errors:
        raise ValidationFailed(errors)
    return {**values, "region": region, "upline": upline}


def institution_create(
    *, actor: Actor, code: str, name: str, short_name: str, level: str, kind: str, grade: str,
    region: Region | None, upline: Institution | None, address: str, phone: str,
) -> Institution:  # fmt: skip
    """A new institution, in use at once."""
    directory_authorize(actor, INSTITUTION_ADD)
    platform_required(actor)
    institution = Institution(active=True)
    values = _cleaned(
        institution, code=code, name=name, short_name=short_name, level=level, kind=kind,
        grade=grade, region=region, upline=upline, address=address, phone=phone,
    )  # fmt: skip
    for field, value in values.items():
        setattr(institution, field, value)
    try:
        with transaction.atomic():
            institution.save()
            audit_change(actor=actor, action="institution.create", instance=institution, detail={
                "fields": changed_fields({}, values_of(institution, INSTITUTION_FIELDS)),
            })  # fmt: skip
    except IntegrityError:  # the same code, added meanwhile by someone else
        institution.pk = None
        raise ValidationFailed.single("code", CODE_TAKEN) from None
    return institution


def _locked(institution_id: int) -> Institution:
    # The institution's own row: PostgreSQL locks nothing on the nullable side of the upline's
    # outer join, and the region and upline need no lock.
    found = (
        Institution.objects.select_for_update(of=("self",))
        .select_related("region", "upline")
        .filter(pk=institution_id)
        .first()
    )
    if found is None:
        raise NotFound(_("There is no such institution."))
    return found


def institution_update(
    *, actor: Actor, institution: Institution, code: str, name: str, short_name: str,
    level: str, kind: str, grade: str, region: Region | None, upline: Institution | None,
    address: str, phone: str,
) -> Institution:  # fmt: skip
    """Changes an institution's particulars; nothing is recorded when nothing changed."""
    directory_authorize(actor, INSTITUTION_CHANGE)
    platform_required(actor)
    try:
        with transaction.atomic():
            stored = _locked(institution.pk)
            values = _cleaned(
                stored, code=code, name=name, short_name=short_name, level=level, kind=kind,
                grade=grade, region=region, upline=upline, address=address, phone=phone,
            )  # fmt: skip
            before = values_of(stored, INSTITUTION_FIELDS)
            for field, value in values.items():
                setattr(stored, field, value)
            changes = changed_fields(before, values_of(stored, INSTITUTION_FIELDS))
            if not changes:
                return stored
            stored.save()
            audit_change(actor=actor, action="institution.update", instance=stored,
                         detail={"code": stored.code, "fields": changes})  # fmt: skip
    except IntegrityError:
        raise ValidationFailed.single("code", CODE_TAKEN) from None
    return stored


def _active_set(actor: Actor, institution: Institution, active: bool) -> Institution:
    directory_authorize(actor, INSTITUTION_CHANGE)
    platform_required(actor)
    with transaction.atomic():
        stored = _locked(institution.pk)
        if stored.active == active:
            raise Conflict(
                _("The institution is in use already.")
                if active
                else _("The institution is out of use already.")
            )
        stored.active = active
        stored.save(update_fields=["active", "updated_at"])
        audit_change(
            actor=actor,
            action="institution.reactivate" if active else "institution.deactivate",
            instance=stored,
            detail={"code": stored.code, "fields": {"active": {"from": not active, "to": active}}},
        )
    return stored


def institution_deactivate(*, actor: Actor, institution: Institution) -> Institution:
    """Takes an institution out of use: it leaves the directory's lists and the pickers
    that choose where a request goes; its history stays."""
    return _active_set(actor, institution, False)


def institution_reactivate(*, actor: Actor, institution: Institution) -> Institution:
    """Puts an institution back in use."""
    return _active_set(actor, institution, True)
