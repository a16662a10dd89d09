"""Reads of consultations, scoped to what the actor may see."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_lib
from dataclasses import dataclass
from typing import NoReturn

from django.db.models import Case, Count, Exists, Min, OuterRef, Q, QuerySet, Value, When
from django.db.models.fields import BooleanField
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.core.actor import Actor
from xietong.core.errors import Message, NotFound, NotPermitted, ValidationFailed
from xietong.core.keys import uuid_or_none
from xietong.core.reads import SHOW, Intent, read_recorded, read_refused
from xietong.core.rows import RowQuery
from xietong.directory.models import Expert
from xietong.scheduling.selectors import slots_free

from .access import (
    CENTRE_ROLES,
    EXPERT_ROLES,
    MINE_STATUS,
    Visibility,
    assignments_of,
    my_assignment_status_subquery,
    visibility_of,
    visible_consultations_q,
    visible_q,
)
from .models import (
    LIVE_ASSIGNMENT,
    AssignmentStatus,
    Consultation,
    ConsultationAssignment,
    ConsultationEvent,
    Kind,
    Mode,
    Opinion,
    OpinionPart,
    Status,
    Urgency,
)

# Waiting for someone to take it on: the accept deadline runs.
AWAITING_ACCEPT = (Status.SUBMITTED, Status.RETURNED, Status.TRIAGE, Status.ASSIGNED)
# Not yet answered: the answer deadline runs.
AWAITING_ANSWER = (*AWAITING_ACCEPT, Status.ACCEPTED, Status.SCHEDULED, Status.IN_PROGRESS)


def overdue_q(now: dt.datetime) -> Q:
    return Q(status__in=AWAITING_ACCEPT, accept_by__lt=now) | Q(
        status__in=AWAITING_ANSWER, answer_by__lt=now
    )


def consultations_for(
    *,
    actor: Actor,
    scope: str = "",
    status: str | None = None,
    urgency: str | None = None,
    kind: str | None = None,
    overdue: bool | None = None,
    q: str | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Consultation]:
    """What the actor sees, with `is_overdue` on each row. `scope`: "requests" (mine as
    requester), "queue" (assigned to me), "qc" / "triage" (the centre's inboxes)."""
    now = now or timezone.now()
    errors: dict[str, list[Message]] = {}
    for name, value, choices in (
        ("status", status, Status.values),
        ("urgency", urgency, Urgency.values),
        ("kind", kind, Kind.values),
    ):
        if value and value not in choices:
            errors[name] = [_("Choose one of the listed values.")]
    if errors:
        raise ValidationFailed(errors)
    qs = Consultation.objects.filter(visible_consultations_q(actor))
    if scope == "requests":
        qs = qs.filter(requesting_user_id=actor.user_id)
    elif scope == "queue":
        mine = ConsultationAssignment.objects.filter(
            consultation_id=OuterRef("pk"),
            expert__practitioner__user__id=actor.user_id,
            status__in=LIVE_ASSIGNMENT,
        )
        qs = qs.filter(Exists(mine)).exclude(status__in=(Status.COMPLETED, Status.CANCELLED))
    elif scope == "qc":
        qs = qs.filter(centre_id=actor.institution_id, status=Status.SUBMITTED)
    elif scope == "triage":
        qs = qs.filter(centre_id=actor.institution_id).filter(
            Q(status__in=(Status.TRIAGE, Status.ASSIGNED)) | overdue_q(now)
        )
    if status:
        qs = qs.filter(status=status)
    if urgency:
        qs = qs.filter(urgency=urgency)
    if kind:
        qs = qs.filter(kind=kind)
    if overdue is not None:
        qs = qs.filter(overdue_q(now)) if overdue else qs.exclude(overdue_q(now))
    if q and q.strip():
        term = q.strip()
        qs = qs.filter(
            Q(number__icontains=term)
            | Q(patient__name__startswith=term)
            | Q(diagnosis_text__icontains=term)
            | Q(reason__icontains=term)
        )
    if actor.has_role(*EXPERT_ROLES):
        # What each row offers the expert depends on their own assignment's status.
        qs = qs.annotate(**{MINE_STATUS: my_assignment_status_subquery(actor)})
    return (
        qs.annotate(
            is_overdue=Case(
                When(overdue_q(now), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .select_related("patient", "requesting_institution", "centre", "wanted_department")
        .order_by("-created_at")
    )


@dataclass(frozen=True)
class RequesterTally:
    """What waits for a requesting doctor among their own requests."""

    returned: int  # returned by the quality check for more information
    to_acknowledge: int  # an opinion signed, to read and acknowledge
    overdue: int

    @property
    def waiting(self) -> int:
        return self.returned + self.to_acknowledge


def _own_requests(actor: Actor) -> QuerySet[Consultation]:
    return Consultation.objects.filter(
        visible_consultations_q(actor), requesting_user_id=actor.user_id
    )


def requester_tally(*, actor: Actor, now: dt.datetime | None = None) -> RequesterTally:
    """The requester's own requests that wait for them, counted in one query."""
    now = now or timezone.now()
    row = _own_requests(actor).aggregate(
        returned=Count("pk", filter=Q(status=Status.RETURNED)),
        to_acknowledge=Count("pk", filter=Q(status=Status.OPINION_SIGNED)),
        overdue=Count("pk", filter=overdue_q(now)),
    )
    return RequesterTally(row["returned"], row["to_acknowledge"], row["overdue"])


def requests_waiting_count(actor: Actor) -> int:
    """The navigation's number for "My requests": returned requests and signed opinions
    waiting for this requester's acknowledgement (one COUNT)."""
    return _own_requests(actor).filter(status__in=(Status.RETURNED, Status.OPINION_SIGNED)).count()


def centre_waiting_count(actor: Actor) -> int | None:
    """The navigation's number for the centre's inbox: requests waiting for the quality
    check (for QC) and for triage (for coordinators), one COUNT."""
    statuses = []
    if actor.has_role("qc"):
        statuses.append(Status.SUBMITTED)
    if actor.has_role("coordinator"):
        statuses.append(Status.TRIAGE)
    if not statuses or actor.institution_id is None:
        return None
    return Consultation.objects.filter(centre_id=actor.institution_id, status__in=statuses).count()


# While the expert may still write their opinion.
OPINION_OPEN = (Status.ACCEPTED, Status.SCHEDULED, Status.IN_PROGRESS)


def queue_waiting_count(actor: Actor) -> int:
    """The navigation's number for the expert's queue: consultations proposed to this expert
    to accept or decline, and accepted ones whose opinion they have not signed yet (for an
    MDT's lead, the summary too), one COUNT."""

    def signed(part: str) -> Exists:
        return Exists(
            Opinion.objects.filter(
                consultation_id=OuterRef("consultation_id"),
                expert_id=OuterRef("expert_id"),
                part=part,
                signed_at__isnull=False,
            )
        )

    answered = signed(OpinionPart.OPINION) & (
        ~Q(lead=True, consultation__kind=Kind.MDT) | signed(OpinionPart.SUMMARY)
    )
    return (
        ConsultationAssignment.objects.filter(expert__practitioner__user__id=actor.user_id)
        .filter(
            Q(status=AssignmentStatus.PROPOSED, consultation__status=Status.ASSIGNED)
            | (
                Q(status=AssignmentStatus.ACCEPTED, consultation__status__in=OPINION_OPEN)
                & ~answered
            )
        )
        .count()
    )


# What a consultation's page and a step's answer show of its relations, read with it.
SHOWN_WITH = (
    "patient",
    "requesting_institution",
    "requesting_user",
    "centre",
    "wanted_department",
    "preferred_expert__practitioner",
    "preferred_department",
)


def _visible_rows(
    key: uuid_lib.UUID, institution_id: int | None, user_id: int | None, *, shape: Visibility
) -> QuerySet[Consultation]:
    rule = visible_q(institution_id=institution_id or 0, user_id=user_id or 0, shape=shape)
    return Consultation.objects.filter(rule, uuid=key).select_related(*SHOWN_WITH)


# Every page, GET and step of a consultation reads it through the visibility rule first:
# compiled once per process and per kind of actor (core/rows.py).
_VISIBLE_ROWS = RowQuery(Consultation, _visible_rows)


def _visible_or_refused(*, actor: Actor, consultation_uuid: uuid_lib.UUID | str) -> Consultation:
    """The consultation when the actor sees it; else the refusal audited and NotFound."""
    key = uuid_or_none(consultation_uuid)
    shape = visibility_of(actor)
    found = None
    if key and shape is not None and actor.institution_id is not None:
        requester, centre, expert = shape
        # Only the ids the shape's SQL uses are passed: the plan is trusted once a call
        # differs from the first in every value it is given, and an expert's institution,
        # shared by the hospital's experts, would hold that back for no reason.
        institution_id = actor.institution_id if requester or centre else None
        user_id = actor.user_id if expert else None
        found = _VISIBLE_ROWS.row(key, institution_id, user_id, shape=shape)
    if found is None:
        consultation_refused(actor=actor, consultation_uuid=consultation_uuid, found=None)
    return found


def consultation_rows(*, consultation_uuid: uuid_lib.UUID | str) -> QuerySet[Consultation]:
    """The consultation of this key (none for a malformed one), with what its answer shows:
    for a step to hold (services/_core.consultation_held)."""
    key = uuid_or_none(consultation_uuid)
    if key is None:
        return Consultation.objects.none()
    return Consultation.objects.filter(uuid=key).select_related(*SHOWN_WITH)


def consultation_refused(
    *, actor: Actor, consultation_uuid: object, found: Consultation | None
) -> NoReturn:
    """A refused fetch on record (call it outside any block the NotFound unwinds), then
    NotFound. `found` is the row when it exists but is not visible; else it is looked up
    for the patient the attempt was about."""
    key = uuid_or_none(consultation_uuid)
    if found is not None:
        patient_id: int | None = found.patient_id
    else:
        patient_id = (
            Consultation.objects.filter(uuid=key).values_list("patient_id", flat=True).first()
            if key
            else None
        )
    read_refused(
        actor=actor,
        resource_type="Consultation",
        resource_id=consultation_uuid,
        patient_id=patient_id,
    )
    raise NotFound()


def get_consultation_for(
    *, actor: Actor, consultation_uuid: uuid_lib.UUID | str, intent: Intent = SHOW
) -> Consultation:
    """NotFound for missing and forbidden alike. Shown to the actor (the patient's summary
    comes with it), the read is audited; a fetch that feeds a write (`intent=CHANGE`) is
    audited by the write. A refusal is audited either way (core/reads.py)."""
    found = _visible_or_refused(actor=actor, consultation_uuid=consultation_uuid)
    read_recorded(
        actor=actor, intent=intent, resource_type="Consultation", resource_id=found.uuid,
        patient_id=found.patient_id,
    )  # fmt: skip
    return found


def signed_opinion_for(
    *,
    actor: Actor,
    consultation_uuid: uuid_lib.UUID | str,
    version: int,
    part: str = "",
    expert: str = "",
) -> Opinion:
    """A signed version of an opinion of a consultation the actor sees, read for its PDF
    (the read audited as the opinion's). Without `expert`, the concluding opinion: the MDT
    summary, else the one opinion."""
    c = _visible_or_refused(actor=actor, consultation_uuid=consultation_uuid)
    if part and part not in OpinionPart.values:
        raise NotFound()
    default_part = OpinionPart.SUMMARY if c.kind == Kind.MDT else OpinionPart.OPINION
    qs = Opinion.objects.filter(
        consultation=c, version=version, part=part or default_part, signed_at__isnull=False
    ).select_related("expert__practitioner", "consultation__centre", "referral_to_institution")
    if expert:
        expert_key = uuid_or_none(expert)
        if expert_key is None:
            raise NotFound()
        qs = qs.filter(expert__practitioner__uuid=expert_key)
    found = qs.order_by("expert_id").first()
    if found is None:
        raise NotFound()
    read_recorded(
        actor=actor, intent=SHOW, resource_type="ConsultationOpinion", resource_id=found.uuid,
        patient_id=c.patient_id,
        detail={"number": c.number, "version": found.version, "format": "pdf"},
    )  # fmt: skip
    return found


def consultation_timeline(*, consultation: Consultation) -> QuerySet[ConsultationEvent]:
    return consultation.events.order_by("at", "id")


def consultation_opinions(*, consultation: Consultation) -> QuerySet[Opinion]:
    """Every version, signed or not; the latest of each expert's part last."""
    return consultation.opinions.select_related(
        "expert__practitioner", "supersedes", "referral_to_institution"
    ).order_by("part", "expert_id", "version")


def consultation_assignments(*, consultation: Consultation) -> list[ConsultationAssignment]:
    """Every assignment, by id, read once per consultation object (access.assignments_of)."""
    return assignments_of(consultation)


@dataclass(frozen=True)
class BoardRow:
    number: str
    time: dt.datetime | None
    hospital: str
    department: str
    experts: str
    room: str
    status: str
    status_label: str
    urgency: str
    mode: str  # an asynchronous consultation has no room: the board says so
    mode_label: str


@dataclass(frozen=True)
class Board:
    day: dt.date
    rows: list[BoardRow]
    total: int
    done: int
    waiting: int


ON_BOARD = (
    Status.ACCEPTED,
    Status.SCHEDULED,
    Status.IN_PROGRESS,
    Status.OPINION_SIGNED,
    Status.COMPLETED,
)


def today_board(*, actor: Actor, day: dt.date | None = None) -> Board:
    """The centre's consultations of the day (seed 003: number, time, requesting hospital,
    department, expert, room; totals today / done / waiting)."""
    day = day or timezone.localdate()
    if not actor.has_role(*CENTRE_ROLES):
        raise NotPermitted(_("Only a centre's quality control and coordinators see its board."))
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = start + dt.timedelta(days=1)
    rows_qs = (
        Consultation.objects.filter(centre_id=actor.institution_id, status__in=ON_BOARD)
        .filter(
            Q(scheduled_start__gte=start, scheduled_start__lt=end)
            | Q(scheduled_start__isnull=True, accepted_at__gte=start, accepted_at__lt=end)
        )
        .select_related("requesting_institution", "wanted_department")
        .prefetch_related("assignments__expert__practitioner")
        # One time per row (the slot, or the acceptance of an asynchronous one), in order.
        .order_by(Coalesce("scheduled_start", "accepted_at"), "pk")
    )
    rows = []
    for c in rows_qs:
        experts = "、".join(
            a.expert.practitioner.name for a in c.assignments.all() if a.status in LIVE_ASSIGNMENT
        )
        rows.append(
            BoardRow(
                number=c.number,
                time=c.scheduled_start or c.accepted_at,
                hospital=c.requesting_institution.name,
                department=c.wanted_department.label if c.wanted_department else "",
                experts=experts,
                room=c.room,
                status=c.status,
                status_label=str(Status(c.status).label),
                urgency=c.urgency,
                mode=c.mode,
                mode_label=str(Mode(c.mode).label),
            )
        )
    done = sum(r.status in (Status.OPINION_SIGNED, Status.COMPLETED) for r in rows)
    return Board(day=day, rows=rows, total=len(rows), done=done, waiting=len(rows) - done)


def experts_next_free(*, experts: list[Expert]) -> dict[int, dt.datetime]:
    """Each expert's next free consultation slot, by practitioner id, in one query."""
    ids = [e.practitioner_id for e in experts]
    if not ids:
        return {}
    firsts = (
        slots_free(purpose="consultation", limit=None)
        .filter(practitioner_id__in=ids)
        .order_by()
        .values("practitioner_id")
        .annotate(first=Min("start"))
    )
    return {row["practitioner_id"]: row["first"] for row in firsts}
