"""Giving, changing and taking away memberships: what a person may do at an institution.

Every change is audited in its own transaction, whichever page makes it (the Django admin
calls these). A clinical role an administrator gives to themselves does not take effect: it
waits on the membership until a second administrator approves it (docs/adr/0003)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.administrators import account_authorize, account_permissions
from xietong.core.audit import audit_record
from xietong.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from xietong.directory.models import Institution

from .models import CLINICAL_ROLES, Membership, Role, User
from .selectors import membership_governed_by, people_scope, roles_grantable_by

SELF_APPROVAL_REFUSED = _("Roles you asked for yourself must be approved by another administrator.")


def admin_authorize(actor: Actor, permission: str) -> User:
    """The acting administrator, if their account may make this change (Django's model
    permissions, which the admin site checks too; a superuser has them all)."""
    user: User = account_authorize(
        actor, permission, refusal=_("Your account may not change who has access.")
    )
    return user


def _clean_roles(roles: Iterable[str]) -> list[str]:
    known = set(Role.values)
    cleaned = list(dict.fromkeys(r for r in roles))  # keeps the order given, once each
    unknown = [r for r in cleaned if r not in known]
    if unknown:
        raise ValidationFailed.single("roles", _("Select valid roles only."))
    return cleaned


def _held_back(*, actor: Actor, user_id: int, granted: list[str], before: set[str]) -> list[str]:
    """The clinical roles this change would newly open to the acting administrator
    themselves: those wait for a second administrator."""
    if user_id != actor.user_id:
        return []
    return [r for r in granted if r in CLINICAL_ROLES and r not in before]


def _audit(actor: Actor, action: str, membership: Membership, detail: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        action=action,
        resource_type="Membership",
        resource_id=membership.pk,
        detail={
            "user": membership.user.username,
            "institution": membership.institution_id,
            **detail,
        },
    )


def membership_create(
    *, actor: Actor, user: User, institution: Institution, roles: Iterable[str],
    active: bool = True,
) -> Membership:  # fmt: skip
    admin_authorize(actor, "accounts.add_membership")
    wanted = _clean_roles(roles)
    held = _held_back(actor=actor, user_id=user.pk, granted=wanted, before=set())
    with transaction.atomic():
        if Membership.objects.filter(user=user, institution=institution).exists():
            raise Conflict(_("This person already has a membership at this institution."))
        membership = Membership.objects.create(
            user=user,
            institution=institution,
            roles=[r for r in wanted if r not in held],
            active=active,
            pending_roles=held,
            pending_requested_by=user if held else None,
            pending_since=timezone.now() if held else None,
        )
        _audit(actor, "membership.create", membership, {
            "roles": membership.roles, "active": active, "pending_roles": held,
        })  # fmt: skip
    return membership


def _locked(membership_id: int) -> Membership:
    membership = (
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        raise NotFound()
    return membership


def membership_update(
    *, actor: Actor, membership_id: int, roles: Iterable[str], active: bool
) -> Membership:
    """Sets the roles and the active flag. Roles taken away go at once; clinical roles the
    administrator gives themselves (or a membership of theirs they switch on) wait."""
    admin_authorize(actor, "accounts.change_membership")
    wanted = _clean_roles(roles)
    with transaction.atomic():
        membership = _locked(membership_id)
        before_roles, before_active = list(membership.roles), membership.active
        in_effect = set(before_roles) if before_active else set()
        held = _held_back(
            actor=actor, user_id=membership.user_id, granted=wanted if active else [],
            before=in_effect,
        )  # fmt: skip
        new_roles = [r for r in wanted if r not in held]
        # What another administrator grants directly needs no approval any more.
        pending = [r for r in dict.fromkeys([*membership.pending_roles, *held])
                   if r not in new_roles]  # fmt: skip
        if (new_roles, active, pending) == (before_roles, before_active, membership.pending_roles):
            return membership
        if held:
            membership.pending_requested_by_id = actor.user_id
            membership.pending_since = timezone.now()
        elif not pending:
            membership.pending_requested_by_id, membership.pending_since = None, None
        membership.roles, membership.active, membership.pending_roles = new_roles, active, pending
        membership.save()
        _audit(actor, "membership.update", membership, {
            "roles": {"from": before_roles, "to": new_roles},
            "active": {"from": before_active, "to": active},
            "pending_roles": pending,
        })  # fmt: skip
    return membership


def membership_delete(*, actor: Actor, membership_id: int) -> None:
    """Removes a membership (and the API tokens issued for it)."""
    admin_authorize(actor, "accounts.delete_membership")
    with transaction.atomic():
        membership = _locked(membership_id)
        _audit(actor, "membership.delete", membership, {
            "roles": membership.roles, "active": membership.active,
            "pending_roles": membership.pending_roles,
        })  # fmt: skip
        membership.delete()


def membership_approve(*, actor: Actor, membership_id: int) -> Membership:
    """A second administrator lets the roles waiting on a membership take effect."""
    admin_authorize(actor, "accounts.change_membership")
    with transaction.atomic():
        membership = _locked(membership_id)
        if not membership.pending_roles:
            raise Conflict(_("No roles of this membership are waiting for approval."))
        if actor.user_id in (membership.user_id, membership.pending_requested_by_id):
            raise Conflict(SELF_APPROVAL_REFUSED)  # the wrong party to this approval
        approved = list(membership.pending_roles)
        requested_by = membership.pending_requested_by_id
        membership.roles = list(dict.fromkeys([*membership.roles, *approved]))
        membership.pending_roles = []
        membership.pending_requested_by_id, membership.pending_since = None, None
        membership.save()
        _audit(actor, "membership.approve", membership, {
            "approved": approved, "requested_by": requested_by, "roles": membership.roles,
        })  # fmt: skip
    return membership


def membership_decline(*, actor: Actor, membership_id: int) -> Membership:
    """Drops the roles waiting on a membership (the one who asked may withdraw them too)."""
    admin_authorize(actor, "accounts.change_membership")
    with transaction.atomic():
        membership = _locked(membership_id)
        if not membership.pending_roles:
            raise Conflict(_("No roles of this membership are waiting for approval."))
        declined = list(membership.pending_roles)
        requested_by = membership.pending_requested_by_id
        membership.pending_roles = []
        membership.pending_requested_by_id, membership.pending_since = None, None
        membership.save()
        _audit(actor, "membership.decline", membership, {
            "declined": declined, "requested_by": requested_by,
        })  # fmt: skip
    return membership


def memberships_awaiting_approval_by(*, actor: Actor) -> QuerySet[Membership]:
    """Memberships with roles waiting that this administrator may approve (not their own)."""
    return (
        Membership.objects.filter(pending_since__isnull=False)
        .exclude(user_id=actor.user_id)
        .exclude(pending_requested_by_id=actor.user_id)
    )


# ---------------------------------------------------------------- the administration pages
# The same services, within what the acting administrator manages (selectors.people_scope):
# an institution's administrator changes the memberships of their own institution only, and
# never the platform administrator's role. An administrator does not lock themselves out
# through the membership they act through.

# The Django permissions the services above and people.py ask of an administrator's account.
ACCOUNT_PERMISSIONS = (
    "accounts.add_user",
    "accounts.change_user",
    "accounts.add_membership",
    "accounts.change_membership",
    "accounts.delete_membership",
)
# The roles that open the administration pages: the membership one acts through keeps them.
MANAGER_ROLE_VALUES = frozenset({Role.PLATFORM_ADMIN.value, Role.INSTITUTION_ADMIN.value})
NOT_YOUR_INSTITUTION = _("You manage the memberships of your own institution only.")
NOT_YOUR_ROLE = _("Only a platform administrator gives or changes the platform administrator role.")


def admin_permissions(actor: Actor) -> frozenset[str]:
    """Which of ACCOUNT_PERMISSIONS the acting administrator's account has (none unless it is
    an active staff account), so that a page offers only what its services will do."""
    return account_permissions(actor, ACCOUNT_PERMISSIONS)


def _managed_roles(actor: Actor, *, institution_id: int, roles: Iterable[str]) -> list[str]:
    scope = people_scope(actor)
    if scope is not None and institution_id != scope:
        raise NotPermitted(NOT_YOUR_INSTITUTION)
    wanted = _clean_roles(roles)
    grantable = {value for value, _label in roles_grantable_by(actor)}
    if not set(wanted) <= grantable:
        raise NotPermitted(NOT_YOUR_ROLE)
    return wanted


def _managed_locked(actor: Actor, membership_id: int) -> Membership:
    membership = _locked(membership_id)
    if not membership_governed_by(actor=actor, membership=membership):
        scope = people_scope(actor)
        raise NotPermitted(
            NOT_YOUR_INSTITUTION if membership.institution_id != scope else NOT_YOUR_ROLE
        )
    return membership


def membership_create_managed(
    *, actor: Actor, user: User, institution: Institution, roles: Iterable[str]
) -> Membership:
    """A new membership at an institution this administrator manages, with roles they may
    give (at least one)."""
    wanted = _managed_roles(actor, institution_id=institution.pk, roles=roles)
    if not wanted:
        raise ValidationFailed.single("roles", _("Choose at least one role."))
    return membership_create(actor=actor, user=user, institution=institution, roles=wanted)


def membership_update_managed(
    *, actor: Actor, membership_id: int, roles: Iterable[str], active: bool
) -> Membership:
    """Sets a managed membership's roles and active flag. The membership one acts through
    keeps its administrator role and stays on (another administrator changes those)."""
    with transaction.atomic():
        membership = _managed_locked(actor, membership_id)
        wanted = _managed_roles(actor, institution_id=membership.institution_id, roles=roles)
        if membership.pk == actor.membership_id:
            if not active:
                raise Conflict(
                    _("You act through this membership: another administrator may switch it off.")
                )
            dropped = {r for r in membership.roles if r in MANAGER_ROLE_VALUES} - set(wanted)
            if dropped:
                raise Conflict(
                    _(
                        "You act through this membership: another administrator may take its "
                        "administrator role away."
                    )
                )
        return membership_update(
            actor=actor, membership_id=membership_id, roles=wanted, active=active
        )


def membership_delete_managed(*, actor: Actor, membership_id: int) -> None:
    """Removes a managed membership, not the one the administrator acts through."""
    with transaction.atomic():
        membership = _managed_locked(actor, membership_id)
        if membership.pk == actor.membership_id:
            raise Conflict(
                _("You act through this membership: another administrator may remove it.")
            )
        membership_delete(actor=actor, membership_id=membership_id)


def membership_approve_managed(*, actor: Actor, membership_id: int) -> Membership:
    """A second administrator approves the roles waiting on a membership they manage."""
    with transaction.atomic():
        _managed_locked(actor, membership_id)
        return membership_approve(actor=actor, membership_id=membership_id)


def membership_decline_managed(*, actor: Actor, membership_id: int) -> Membership:
    """Drops the roles waiting on a membership the administrator manages."""
    with transaction.atomic():
        _managed_locked(actor, membership_id)
        return membership_decline(actor=actor, membership_id=membership_id)
