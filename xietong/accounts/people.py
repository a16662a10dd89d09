"""Administrators' changes to accounts that decide access: creating and removing people,
the admin-site flags, groups and permissions, the link to a practitioner (an expert's
consultations open to the linked account), passwords set for someone, and removing a lost
authenticator. Each is audited in the transaction of the change."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Conflict, NotFound

from .memberships import admin_authorize
from .models import User

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
    _audit(actor, "password.reset", user.pk, {
        "username": user.username, "usable": user.has_usable_password(),
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
