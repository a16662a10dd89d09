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
from xietong.core.audit import audit_record
from xietong.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from xietong.directory.models import Institution

from .models import CLINICAL_ROLES, Membership, Role, User

SELF_APPROVAL_REFUSED = _("Roles you asked for yourself must be approved by another administrator.")


def admin_authorize(actor: Actor, permission: str) -> User:
    """The acting administrator, if their account may make this change (Django's model
    permissions, which the admin site checks too; a superuser has them all)."""
    user = User.objects.filter(pk=actor.user_id, is_active=True).first()
    if user is None or not user.is_staff or not user.has_perm(permission):
        raise NotPermitted(_("Your account may not change who has access."))
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
