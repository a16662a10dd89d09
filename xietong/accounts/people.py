"""Administrators' changes to accounts that decide access: creating and removing people,
the admin-site flags, groups and permissions, the link to a practitioner (an expert's
consultations open to the linked account), passwords set for someone, and removing a lost
authenticator. Each is audited in the transaction of the change."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.cleaning import fields_clean
from xietong.core.errors import Conflict, Message, NotFound, NotPermitted, ValidationFailed

from .memberships import admin_authorize, membership_create_managed
from .models import User
from .selectors import account_governed_by, roles_grantable_by

if TYPE_CHECKING:
    from xietong.directory.models import Institution

# Fields of a user whose old and new values the audit record keeps.
ACCESS_FIELDS = ("is_active", "is_staff", "is_superuser", "practitioner_id")

SELF_LINK_REFUSED = _(
    "Another administrator must link your own account to a practitioner: the link opens "
    "that practitioner's consultations."
)


def _access_values(user: User) -> dict[str, Any]:
    return {name: getattr(user, name) for name in ACCESS_FIELDS}


def _audit(actor: Actor, action: str, user_id: int, detail: dict[str, Any]) -> None:
    audit_record(actor=actor, action=action, resource_type="User", resource_id=user_id,
                 detail=detail)  # fmt: skip


def user_self_link_refused(*, actor: Actor, user: User, practitioner_id: int | None) -> bool:
    """Whether this change would link the acting administrator to a practitioner."""
    if user.pk != actor.user_id or practitioner_id is None:
        return False
    stored = User.objects.filter(pk=user.pk).values_list("practitioner_id", flat=True).first()
    return stored != practitioner_id


def user_create(*, actor: Actor, user: User) -> User:
    """Saves a new account prepared by a form (username and password set)."""
    admin_authorize(actor, "accounts.add_user")
    with transaction.atomic():
        user.save()
        _audit(actor, "user.create", user.pk, {"username": user.username,
                                               **_access_values(user)})  # fmt: skip
    return user


def user_update(*, actor: Actor, user: User, changed: Iterable[str]) -> User:
    """Saves an account changed by a form; the record names the fields and keeps the old
    and new values of those that decide access."""
    admin_authorize(actor, "accounts.change_user")
    if user_self_link_refused(actor=actor, user=user, practitioner_id=user.practitioner_id):
        raise Conflict(SELF_LINK_REFUSED)  # the wrong party: another administrator must
    with transaction.atomic():
        stored = User.objects.select_for_update().filter(pk=user.pk).first()
        if stored is None:
            raise NotFound()
        before, after = _access_values(stored), _access_values(user)
        user.save()
        _audit(actor, "user.update", user.pk, {
            "username": user.username,
            "fields": sorted(f for f in changed if f != "password"),
            "access": {k: {"from": before[k], "to": after[k]}
                       for k in ACCESS_FIELDS if before[k] != after[k]},
        })  # fmt: skip
    return user


def user_permissions_set(
    *, actor: Actor, user: User, groups: Iterable[Group], permissions: Iterable[Permission]
) -> None:
    """Sets a user's groups and admin permissions; audited when they change."""
    admin_authorize(actor, "accounts.change_user")
    new_groups = sorted({g.name for g in groups})
    new_perms = sorted({f"{p.content_type.app_label}.{p.codename}" for p in permissions})
    with transaction.atomic():
        old_groups = sorted(user.groups.values_list("name", flat=True))
        old_perms = sorted(
            f"{app}.{code}"
            for app, code in user.user_permissions.values_list(
                "content_type__app_label", "codename"
            )
        )
        if (old_groups, old_perms) == (new_groups, new_perms):
            return
        user.groups.set(list(groups))
        user.user_permissions.set(list(permissions))
        _audit(actor, "user.permissions", user.pk, {
            "username": user.username,
            "groups": {"from": old_groups, "to": new_groups},
            "permissions": {"from": old_perms, "to": new_perms},
        })  # fmt: skip


def user_delete(*, actor: Actor, user_id: int) -> None:
    admin_authorize(actor, "accounts.delete_user")
    if user_id == actor.user_id:
        raise Conflict(_("You cannot remove your own account."))  # the wrong party
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise NotFound()
        _audit(actor, "user.delete", user_id, {"username": user.username,
                                               **_access_values(user)})  # fmt: skip
        user.delete()


def password_reset_record(*, actor: Actor, user: User) -> None:
    """Records that an administrator set someone's password (Django's form sets it, in the
    same transaction): whoever knows it may sign in as that person."""
    admin_authorize(actor, "accounts.change_user")
    # Someone else's choice of password is a temporary one (not the administrator's own).
    temporary = user.pk != actor.user_id and user.has_usable_password()
    if temporary != user.password_change_required:
        user.password_change_required = temporary
        User.objects.filter(pk=user.pk).update(password_change_required=temporary)
    _audit(actor, "password.reset", user.pk, {
        "username": user.username, "usable": user.has_usable_password(),
        "temporary": temporary,
    })  # fmt: skip


def totp_device_remove(*, actor: Actor, device_id: int) -> None:
    """Removes someone's authenticator (a lost phone): they set one up at the next sign-in."""
    admin_authorize(actor, "accounts.change_user")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device_id).first()
        if device is None:
            raise NotFound()
        owner = User.objects.get(pk=device.user_id)
        _audit(actor, "totp.remove", owner.pk, {"username": owner.username,
                                                "device": device.name})  # fmt: skip
        device.delete()


# ---------------------------------------------------------------- the administration pages
# Adding a person with a first membership, changing their account and setting a temporary
# password, within what the acting administrator manages (selectors.account_governed_by).
# Everything is validated before anything is written; each write is one of the audited
# services above.

PERSON_FIELDS = ("username", "display_name", "phone", "email")
NOT_YOURS_TO_CHANGE = _(
    "A platform administrator changes this account: the person belongs to other "
    "institutions too, or administers the platform."
)


def _password_errors(password: str, user: User) -> list[Message]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def person_create(
    *, actor: Actor, username: str, display_name: str, phone: str, email: str,
    password: str, institution: Institution, roles: Iterable[str],
) -> User:  # fmt: skip
    """A new account with its first membership, in one transaction: when anything is
    refused, nothing is written. The password is checked by the platform's password rules."""
    admin_authorize(actor, "accounts.add_user")
    wanted = list(roles)
    grantable = {value for value, _label in roles_grantable_by(actor)}
    user = User(is_active=True)
    values, errors = fields_clean(user, {
        "username": username.strip(), "display_name": display_name.strip(),
        "phone": phone.strip(), "email": email.strip(),
    })  # fmt: skip
    for name, value in values.items():
        setattr(user, name, value)
    if not values.get("display_name") and "display_name" not in errors:
        errors["display_name"] = [_("Give the name colleagues know this person by.")]
    if "username" in values and User.objects.filter(username__iexact=values["username"]).exists():
        errors["username"] = [_("A person with this username already exists.")]
    if problems := _password_errors(password, user):
        errors["password"] = problems
    if not wanted:
        errors["roles"] = [_("Choose at least one role.")]
    elif not set(wanted) <= grantable:
        errors["roles"] = [_("Select valid roles only.")]
    if errors:
        raise ValidationFailed(errors)
    user.set_password(password)
    user.password_change_required = True  # the administrator chose it: see password_reset_record
    try:
        with transaction.atomic():
            user_create(actor=actor, user=user)
            membership_create_managed(actor=actor, user=user, institution=institution, roles=wanted)
    except IntegrityError:  # the same username, added meanwhile by someone else
        user.pk = None
        raise ValidationFailed.single(
            "username", _("A person with this username already exists.")
        ) from None
    return user


def person_update(
    *, actor: Actor, person: User, display_name: str, phone: str, email: str, active: bool
) -> User:
    """Changes a person's name, contact and whether they may sign in. Nobody switches their
    own account off."""
    admin_authorize(actor, "accounts.change_user")
    if not account_governed_by(actor=actor, person=person):
        raise NotPermitted(NOT_YOURS_TO_CHANGE)
    if person.pk == actor.user_id and not active:
        raise Conflict(_("You cannot switch off your own account."))
    values, errors = fields_clean(person, {
        "display_name": display_name.strip(), "phone": phone.strip(), "email": email.strip(),
    })  # fmt: skip
    if not values.get("display_name") and "display_name" not in errors:
        errors["display_name"] = [_("Give the name colleagues know this person by.")]
    if errors:
        raise ValidationFailed(errors)
    values["is_active"] = active
    changed = [name for name, value in values.items() if getattr(person, name) != value]
    if not changed:
        return person
    for name in changed:
        setattr(person, name, values[name])
    return user_update(actor=actor, user=person, changed=changed)


def person_password_set(*, actor: Actor, person: User, password: str) -> None:
    """Sets a temporary password for someone (checked by the password rules) and records it
    (password_reset_record), in one transaction."""
    admin_authorize(actor, "accounts.change_user")
    if not account_governed_by(actor=actor, person=person):
        raise NotPermitted(NOT_YOURS_TO_CHANGE)
    if problems := _password_errors(password, person):
        raise ValidationFailed({"password": problems})
    with transaction.atomic():
        person.set_password(password)
        person.save(update_fields=["password"])
        password_reset_record(actor=actor, user=person)
