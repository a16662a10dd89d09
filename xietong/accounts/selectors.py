"""Reads of accounts that other apps need."""

from __future__ import annotations

from collections.abc import Iterable

from xietong.core.actor import Actor

from .models import Membership, User


def member_ids_with_roles(*, institution_id: int | None, roles: Iterable[str]) -> list[int]:
    """The user ids of an institution's active members having any of `roles`, in one query
    (roles are a JSON list, which SQLite cannot search inside: the list is read and
    filtered here)."""
    if institution_id is None:
        return []
    wanted = set(roles)
    return sorted(
        {
            user_id
            for user_id, member_roles in Membership.objects.filter(
                institution_id=institution_id, active=True
            ).values_list("user_id", "roles")
            if wanted.intersection(member_roles or ())
        }
    )


def users_active(*, user_ids: Iterable[int]) -> list[User]:
    """The active users among these ids, by id; unknown ids are left out."""
    return list(User.objects.filter(pk__in=set(user_ids), is_active=True).order_by("pk"))


def user_of(actor: Actor) -> User | None:
    """The account the actor acts with (None once it is deleted)."""
    return User.objects.filter(pk=actor.user_id).first()


def colleagues_of(*, actor: Actor, limit: int = 200) -> list[User]:
    """Active people of the actor's institution, the actor aside: whom one can invite."""
    if actor.institution_id is None:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            memberships__institution_id=actor.institution_id,
            memberships__active=True,
        )
        .exclude(pk=actor.user_id)
        .distinct()
        .order_by("display_name", "username")[:limit]
    )
