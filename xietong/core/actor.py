"""The actor: a user acting through one membership (an institution and its roles).

Every service and selector takes an actor; nothing below the view looks at request.user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

T = TypeVar("T")


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    membership_id: int | None = None
    institution_id: int | None = None
    institution_name: str = ""
    institution_level: str = ""
    # The institution's region path ("410000/410100/410102/"): supervisors see below it.
    region_path: str = ""
    roles: frozenset[str] = field(default_factory=frozenset)
    is_platform_admin: bool = False
    # The name colleagues know the person by (timelines, messages); the username is for
    # signing in and for the audit log.
    display_name: str = ""

    def has_role(self, *roles: str) -> bool:
        # No role implies another: a platform administrator is not a doctor, and sees
        # patient data only where a rule names that role.
        return bool(self.roles.intersection(roles))

    @property
    def shown_name(self) -> str:
        return self.display_name or self.username

    @property
    def roles_label(self) -> str:
        return ",".join(sorted(self.roles))


def actor_memo(actor: Actor, key: str, compute: Callable[[], T]) -> T:
    """A value computed once per actor object, that is once per request (the actor is made
    for each request): two parts of one page that show the same number ask once."""
    memo: dict[str, Any] = actor.__dict__.setdefault("_memo", {})
    if key not in memo:
        memo[key] = compute()
    return cast(T, memo[key])
