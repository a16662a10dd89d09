"""Who sees a consultation, and as which party.

The requesting institution's doctors, the serving centre's QC and coordinators (once it is
submitted) and the experts assigned to it (until they decline) see it; everyone else meets
NotFound, as if it did not exist."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from xietong.core.actor import Actor
from xietong.core.rows import RowQuery

from .models import LIVE_ASSIGNMENT, Consultation, ConsultationAssignment, Status
from .workflow import Party

REQUESTER_ROLES = frozenset({"requester"})
CENTRE_ROLES = frozenset({"qc", "coordinator"})
EXPERT_ROLES = frozenset({"expert"})


def _expert_assignments(user_id: int) -> Q:
    return Q(
        consultation_id=OuterRef("pk"),
        expert__practitioner__user__id=user_id,
        status__in=LIVE_ASSIGNMENT,
    )


# Which of the three ways of seeing a consultation the actor has (requester, centre,
# expert): what the visibility rule's SQL is made of, apart from the actor's ids.
Visibility = tuple[bool, bool, bool]


def visibility_of(actor: Actor) -> Visibility | None:
    """None when the actor sees no consultation at all."""
    if actor.institution_id is None:
        return None
    shape = (
        actor.has_role(*REQUESTER_ROLES),
        actor.has_role(*CENTRE_ROLES),
        actor.has_role(*EXPERT_ROLES),
    )
    return shape if any(shape) else None


def visible_q(*, institution_id: int, user_id: int, shape: Visibility) -> Q:
    """The visibility rule from the actor's ids and `visibility_of`, so that a query built
    on it can be compiled once per shape (core/rows.py)."""
    requester, centre, expert = shape
    q = Q(pk__in=[])
    if requester:
        q |= Q(requesting_institution_id=institution_id)
    if centre:
        q |= Q(centre_id=institution_id) & ~Q(status=Status.DRAFT)
    if expert:
        q |= Q(Exists(ConsultationAssignment.objects.filter(_expert_assignments(user_id))))
    return q


def visible_consultations_q(actor: Actor) -> Q:
    shape = visibility_of(actor)
    if shape is None or actor.institution_id is None:
        return Q(pk__in=[])
    return visible_q(institution_id=actor.institution_id, user_id=actor.user_id, shape=shape)


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
        ConsultationAssignment.objects.filter(_expert_assignments(actor.user_id)).values("status")[
            :1
        ]
    )


def my_assignment_status(actor: Actor, consultation: Consultation) -> str | None:
    """The status of the actor's live assignment to this consultation, if any."""
    if MINE_STATUS in consultation.__dict__:
        return consultation.__dict__[MINE_STATUS]
    if not actor.has_role(*EXPERT_ROLES):
        return None
    mine = live_assignment_of(actor, consultation)
    return mine.status if mine is not None else None


_ASSIGNMENTS = "_xt_assignments"


def _assignment_rows(consultation_id: int) -> QuerySet[ConsultationAssignment]:
    return (
        ConsultationAssignment.objects.filter(consultation_id=consultation_id)
        .select_related(
            "expert__practitioner__institution",
            "expert__practitioner__department",
            "expert__practitioner__user",
        )
        .order_by("id")
    )


# Read by nearly every step and page of a consultation: compiled once (core/rows.py).
_ASSIGNMENT_ROWS = RowQuery(ConsultationAssignment, _assignment_rows)


def assignments_of(consultation: Consultation) -> list[ConsultationAssignment]:
    """Every assignment of the consultation (declined and released ones too), by id, with
    the expert's practitioner, institution, department and account: read once per
    consultation object. A step finds the actor's among them, tells the live experts and
    answers with them from this one read; what it changes it changes on these objects, and
    what it adds it adds with `assignments_added`."""
    found: list[ConsultationAssignment] | None = consultation.__dict__.get(_ASSIGNMENTS)
    if found is None:
        found = _ASSIGNMENT_ROWS.rows(consultation.pk)
        back = ConsultationAssignment._meta.get_field("consultation")
        for a in found:
            back.set_cached_value(a, consultation)
        consultation.__dict__[_ASSIGNMENTS] = found
    return found


def assignments_carry(into: Consultation, source: Consultation) -> None:
    """The assignments read with `source`, given to the same row re-read under a lock with no
    step in between (the engine's `carry`): signing reads them before the password and
    need not read them again after it."""
    found: list[ConsultationAssignment] | None = source.__dict__.get(_ASSIGNMENTS)
    if found is None:
        return
    back = ConsultationAssignment._meta.get_field("consultation")
    for a in found:
        back.set_cached_value(a, into)
    into.__dict__[_ASSIGNMENTS] = found


def assignments_added(consultation: Consultation) -> None:
    """New assignments were written: the next look reads them all again."""
    consultation.__dict__.pop(_ASSIGNMENTS, None)


def assignment_user_id(assignment: ConsultationAssignment) -> int | None:
    """The account of the assigned expert (None for an expert without one)."""
    user = getattr(assignment.expert.practitioner, "user", None)
    return user.pk if user is not None else None


def live_assignment_of(actor: Actor, consultation: Consultation) -> ConsultationAssignment | None:
    """The actor's live assignment (released a moment ago by this same step, declined or
    cancelled, it is no longer live)."""
    for a in assignments_of(consultation):
        if a.status in LIVE_ASSIGNMENT and assignment_user_id(a) == actor.user_id:
            return a
    return None
