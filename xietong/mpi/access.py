"""Who may judge the index's pairs and merge records: permissions as data.

A registrar (anyone who registers patients at an institution) judges the pairs whose new
record their institution registered, as they know the person in front of them. A data
steward judges any pair and is the only one who merges and unmerges, because a merge moves
other institutions' rows."""

from __future__ import annotations

from xietong.accounts.models import Role
from xietong.core.actor import Actor
from xietong.patients.access import REGISTER_ROLES

STEWARD_ROLES = frozenset({Role.DATA_STEWARD.value})


def is_data_steward(actor: Actor) -> bool:
    return actor.institution_id is not None and bool(actor.roles & STEWARD_ROLES)


def can_review_matches(actor: Actor, *, institution_id: int | None = None) -> bool:
    """Whether the actor judges pairs at all (`institution_id` None) or those of the
    institution that registered the pair's new record."""
    if is_data_steward(actor):
        return True
    if actor.institution_id is None or not actor.roles & REGISTER_ROLES:
        return False
    return institution_id is None or institution_id == actor.institution_id


def can_merge_patients(actor: Actor) -> bool:
    return is_data_steward(actor)
