"""Who may manage a schedule, and who may see a booking.

A schedule belongs to its institution: its referral desk and administrators publish and
change it. Who may book for a consultation or a referral is the workflow apps' decision;
here a booking is visible to the institution that made it and to the slot's owner."""

from __future__ import annotations

from django.db.models import Q

from xietong.core.actor import Actor

MANAGE_ROLES = frozenset({"referral_desk", "institution_admin"})
# The roles that book directly through the API (a desk booking for a phone caller, a
# coordinator placing a consultation); the workflow apps call the services themselves.
BOOK_ROLES = frozenset({"referral_desk", "institution_admin", "coordinator", "requester"})


def can_manage_schedules(actor: Actor) -> bool:
    return actor.institution_id is not None and actor.has_role(*MANAGE_ROLES)


def can_book(actor: Actor) -> bool:
    return actor.institution_id is not None and actor.has_role(*BOOK_ROLES)


def visible_bookings_q(actor: Actor) -> Q:
    if actor.institution_id is None or not (can_book(actor) or can_manage_schedules(actor)):
        return Q(pk__in=[])
    return Q(institution_id=actor.institution_id) | Q(slot__institution_id=actor.institution_id)
