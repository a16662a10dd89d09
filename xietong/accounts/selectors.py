"""Reads of accounts that other apps need."""

from __future__ import annotations

from collections.abc import Iterable

from .models import Membership


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
