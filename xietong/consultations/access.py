"""Who sees a consultation, and as which party.

The requesting institution's doctors, the serving centre's QC and coordinators (once it is
submitted) and the experts assigned to it (until they decline) see it; everyone else meets
NotFound, as if it did not exist."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

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


def parties_of(actor: Actor, consultation: Consultation) -> set[Party]:
    parties: set[Party] = set()
    if (
        actor.has_role(*REQUESTER_ROLES)
        and consultation.requesting_institution_id == actor.institution_id
    ):
        parties.add(Party.REQUESTER)
    if actor.has_role(*CENTRE_ROLES) and consultation.centre_id == actor.institution_id:
        parties.add(Party.CENTRE)
    if actor.has_role(*EXPERT_ROLES) and live_assignment_of(actor, consultation) is not None:
        parties.add(Party.EXPERT)
    return parties


def live_assignment_of(actor: Actor, consultation: Consultation) -> ConsultationAssignment | None:
    return (
        ConsultationAssignment.objects.filter(
            consultation=consultation,
            expert__practitioner__user__id=actor.user_id,
            status__in=LIVE_ASSIGNMENT,
        )
        .select_related("expert__practitioner")
        .first()
    )
