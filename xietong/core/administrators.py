"""Who administers, asked the same way by every app that has administrators' pages.

Two questions, each answered from data rather than from code in each app:

- *Whose rows*: the administrator role of the membership one acts through. A platform
  administrator manages every institution's; an institution's administrator their own.
- *Which changes*: the Django model permissions of the account (`accounts.change_user`,
  `directory.change_institution`…), which the admin site checks too. Only an active staff
  account holds any; a superuser holds them all.

The accounts app asks them for people and memberships (accounts/selectors.py, memberships.py),
the directory for institutions, practitioners and links (directory/access.py). The user model
is Django's configured one, so core names no app above it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model

from .actor import Actor
from .errors import Message, NotPermitted

# The administrator roles' values (accounts.models.Role holds them with their labels).
PLATFORM_ADMIN = "platform_admin"
INSTITUTION_ADMIN = "institution_admin"


def administers(actor: Actor) -> bool:
    """Whether the actor acts as an administrator: of the platform, or of an institution."""
    if actor.has_role(PLATFORM_ADMIN):
        return True
    return actor.has_role(INSTITUTION_ADMIN) and actor.institution_id is not None


def administered_institution(actor: Actor, *, refusal: Message) -> int | None:
    """The institution whose rows this administrator manages, or None for every institution
    (a platform administrator). Anyone else is refused with `refusal`."""
    if actor.has_role(PLATFORM_ADMIN):
        return None
    if actor.has_role(INSTITUTION_ADMIN) and actor.institution_id is not None:
        return actor.institution_id
    raise NotPermitted(refusal)


def _staff_account(actor: Actor) -> Any | None:
    user = get_user_model()._default_manager.filter(pk=actor.user_id, is_active=True).first()
    return user if user is not None and getattr(user, "is_staff", False) else None


def account_authorize(actor: Actor, permission: str, *, refusal: Message) -> Any:
    """The acting administrator's account, if it may make this change; else NotPermitted
    with `refusal`."""
    user = _staff_account(actor)
    if user is None or not user.has_perm(permission):
        raise NotPermitted(refusal)
    return user


def account_permissions(actor: Actor, wanted: Iterable[str]) -> frozenset[str]:
    """Which of `wanted` the acting administrator's account holds, so that a page offers
    only what its services will do (one read of the account and of its permissions)."""
    user = _staff_account(actor)
    if user is None:
        return frozenset()
    return frozenset(p for p in wanted if user.has_perm(p))
