"""Who sees a consultation, and as which party.

The requesting institution's doctors, the serving centre's QC and coordinators (once it is
submitted) and the experts assigned to it (until they decline) see it; everyone else meets
NotFound, as if it did not exist."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, Subquery

from xietong.core.actor import Actor

from .models import LIVE_ASSIGNMENT, Consultation, ConsultationAssignment, Status
from .workflow import Party

REQUESTER_ROLES = frozenset({"requester"})
CENTRE_ROLES = frozenset({"qc", "coordinator"})
EXPERT_ROLES = frozenset({"expert"})


def _expert_assignments(actor: Actor) -> Q:
    return Q(
        consultation_id=OuterRef("pk"),
        expert__practitioner__user__id=actor.user_id,
        status__in=LIVE_ASSIGNMENT,
    )


def visible_consultations_q(actor: Actor) -> Q:
    if actor.institution_id is None:
        return Q(pk__in=[])
    q = Q(pk__in=[])
    if actor.has_role(*REQUESTER_ROLES):
        q |= Q(requesting_institution_id=actor.institution_id)
    if actor.has_role(*CENTRE_ROLES):
        q |= Q(centre_id=actor.institution_id) & ~Q(status=Status.DRAFT)
    if actor.has_role(*EXPERT_ROLES):
        q |= Q(Exists(ConsultationAssignment.objects.filter(_expert_assignments(actor))))
    return q


def parties_of(actor: Actor, consultation: Consultation) -> set[str]:
    parties: set[str] = set()
    if (
        actor.has_role(*REQUESTER_ROLES)
        and consultation.requesting_institution_id == actor.institution_id
    ):
        parties.add(Party.REQUESTER)
    if actor.has_role(*CENTRE_ROLES) and consultation.centre_id == actor.institution_id:
        parties.add(Party.CENTRE)
    if actor.has_role(*EXPERT_ROLES) and my_assignment_status(actor, consultation) is not None:
        parties.add(Party.EXPERT)
    return parties


# Lists annotate each row with the status of the actor's own live assignment (None when
# they have none), so that what the rows offer costs no query per row.
MINE_STATUS = "my_assignment_status"


def my_assignment_status_subquery(actor: Actor) -> Subquery:
    return Subquery(
        ConsultationAssignment.objects.filter(_expert_assignments(actor)).values("status")[:1]
    )


def my_assignment_status(actor: Actor, consultation: Consultation) -> str | None:
    """The status of the actor's live assignment to this consultation, if any."""
    if MINE_STATUS in consultation.__dict__:
        return consultation.__dict__[MINE_STATUS]
    if not actor.has_role(*EXPERT_ROLES):
        return None
    mine = live_assignment_of(actor, consultation)
    return mine.status if mine is not None else None


_FOUND = "_xt_live_assignments"


def live_assignment_of(actor: Actor, consultation: Consultation) -> ConsultationAssignment | None:
    """The actor's live assignment, read once per consultation object: a step asks for it
    to know the parties, then again to change it."""
    found: dict[int, ConsultationAssignment | None] = consultation.__dict__.setdefault(_FOUND, {})
    if actor.user_id not in found:
        found[actor.user_id] = (
            ConsultationAssignment.objects.filter(
                consultation=consultation,
                expert__practitioner__user__id=actor.user_id,
                status__in=LIVE_ASSIGNMENT,
            )
            .select_related("expert__practitioner")
            .first()
        )
    mine = found[actor.user_id]
    # Released a moment ago by this same step (declined, cancelled): no longer live.
    return mine if mine is not None and mine.status in LIVE_ASSIGNMENT else None
