"""Studies a workflow shares with the people who take part in it: an imaging consultation's
studies are read by the centre that checks and triages it and by its experts, who may not
otherwise see the patient's archive. A workflow app registers, at start-up, a function that
answers the ids of the studies it shares with an actor (as a subquery); the archive's access
rule (access.py) adds them to what the actor sees. Registered, not imported: the workflows
sit above the archive."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

from xietong.core.actor import Actor

# actor -> a queryset of Study ids (values_list("study_id")), evaluated as a subquery.
StudyShare = Callable[[Actor], QuerySet]
_SHARES: list[StudyShare] = []


def study_share_register(share: StudyShare) -> None:
    if share not in _SHARES:
        _SHARES.append(share)


def study_shares() -> tuple[StudyShare, ...]:
    return tuple(_SHARES)
