"""Turning a user and the membership they chose into the Actor that services take."""

from __future__ import annotations

from xietong.core.actor import Actor

from .models import Membership, Role, User

SESSION_MEMBERSHIP_KEY = "xt_membership_id"


def actor_for_membership(membership: Membership) -> Actor:
    user = membership.user
    institution = membership.institution
    roles = frozenset(membership.roles)
    return Actor(
        user_id=user.pk,
        username=user.username,
        membership_id=membership.pk,
        institution_id=institution.pk,
        institution_name=institution.name,
        institution_level=institution.level,
        region_path=institution.region.path,
        roles=roles,
        is_platform_admin=Role.PLATFORM_ADMIN in roles,
        display_name=user.display_name,
    )


def membership_choose(*, user: User, membership_id: int | None) -> Membership | None:
    """The membership a user acts through: the one they picked, else their first."""
    memberships = Membership.objects.filter(user=user, active=True).select_related(
        "user", "institution__region"
    )
    if membership_id is not None:
        chosen = memberships.filter(pk=membership_id).first()
        if chosen is not None:
            return chosen
    return memberships.first()


def actor_for_user(*, user: User, membership_id: int | None = None) -> Actor | None:
    membership = membership_choose(user=user, membership_id=membership_id)
    return actor_for_membership(membership) if membership else None
