"""Who sees a reading request, and as which party.

The requesting institution's doctors and the reading centre's experts see it; everyone
else meets NotFound, as if it did not exist. Among the centre's experts, those whose
professional title is listed in XT_READING_SENIOR_TITLES review and sign final reports."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from xietong.accounts.models import User
from xietong.core.actor import Actor, actor_memo

from .models import ReadingRequest
from .workflow import Party

REQUESTER_ROLES = frozenset({"requester"})
READER_ROLES = frozenset({"expert"})


def can_request(actor: Actor) -> bool:
    return actor.institution_id is not None and actor.has_role(*REQUESTER_ROLES)


def can_read(actor: Actor) -> bool:
    return actor.institution_id is not None and actor.has_role(*READER_ROLES)


def is_senior(actor: Actor) -> bool:
    """A reader whose practitioner's title makes them a reviewer here: read once per
    request (the actor is made for each)."""
    institution_id = actor.institution_id
    if institution_id is None or not can_read(actor):
        return False

    def ask() -> bool:
        return User.objects.filter(
            pk=actor.user_id,
            practitioner__institution_id=institution_id,
            practitioner__title__in=tuple(settings.XT_READING_SENIOR_TITLES),
        ).exists()

    return actor_memo(actor, "imaging.reading.senior", ask)


def visible_readings_q(actor: Actor, prefix: str = "") -> Q:
    q = Q(pk__in=[])
    if can_request(actor):
        q |= Q(**{f"{prefix}requesting_institution_id": actor.institution_id})
    if can_read(actor):
        q |= Q(**{f"{prefix}centre_id": actor.institution_id})
    return q


def parties_of(actor: Actor, reading: ReadingRequest) -> set[str]:
    parties: set[str] = set()
    if can_request(actor) and reading.requesting_institution_id == actor.institution_id:
        parties.add(Party.REQUESTER)
    if can_read(actor) and reading.centre_id == actor.institution_id:
        parties.add(Party.READER)
        if is_senior(actor):
            parties.add(Party.SENIOR)
    return parties


def senior_ids_among(user_ids: list[int], *, institution_id: int) -> list[int]:
    """Those of these users who are seniors at this institution (one query)."""
    return sorted(
        User.objects.filter(
            pk__in=user_ids,
            practitioner__institution_id=institution_id,
            practitioner__title__in=tuple(settings.XT_READING_SENIOR_TITLES),
        ).values_list("pk", flat=True)
    )
