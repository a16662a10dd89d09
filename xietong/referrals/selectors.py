"""Reads of referrals, scoped to what the actor may see."""

from __future__ import annotations

import datetime as dt
import re
import uuid as uuid_lib
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from xietong.consultations.selectors import consultation_opinions
from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.core.keys import uuid_or_none
from xietong.core.reads import SHOW, Intent, read_recorded, read_refused
from xietong.core.rows import row_or_none
from xietong.core.workflow.steps import relations_carry
from xietong.directory.models import Institution
from xietong.directory.selectors import collaboration_providers_for

from .access import can_refer, can_view_referrals, visible_referrals_q
from .models import FollowUp, Referral, ReferralEvent, Status
from .workflow import AWAITING_DESK, TERMINAL

if TYPE_CHECKING:
    from xietong.consultations.models import Consultation, Opinion

NUMBER = re.compile(r"ZZ-\d{8}-\d{4,}")
SCOPES = ("outgoing", "incoming", "down")


def referrals_for(
    *,
    actor: Actor,
    scope: str = "",
    status: str | None = None,
    kind: str | None = None,
    urgency: str | None = None,
    open_only: bool = False,
    q: str | None = None,
) -> QuerySet[Referral]:
    """What the actor sees. `scope`: "outgoing" (sent by my institution), "incoming" (to my
    institution), "down" (referred back down to my institution)."""
    qs = Referral.objects.filter(visible_referrals_q(actor)).select_related(
        "patient", "sending_institution", "receiving_institution", "receiving_department",
        "down_institution",
    )  # fmt: skip
    institution = actor.institution_id or 0
    if scope == "outgoing":
        qs = qs.filter(sending_institution_id=institution)
    elif scope == "incoming":
        qs = qs.filter(receiving_institution_id=institution)
    elif scope == "down":
        qs = qs.filter(down_institution_id=institution)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if urgency:
        qs = qs.filter(urgency=urgency)
    if open_only:
        qs = qs.exclude(status__in=TERMINAL)
    if q:
        q = q.strip()
        qs = qs.filter(Q(number__icontains=q) | Q(patient__name__startswith=q))
    return qs.order_by("-created_at")


def incoming_waiting_count(*, actor: Actor) -> int:
    """The navigation's number beside "Incoming referrals": referrals to the actor's
    institution still waiting for the desk's answer (one COUNT)."""
    if actor.institution_id is None:
        return 0
    return Referral.objects.filter(
        visible_referrals_q(actor),
        receiving_institution_id=actor.institution_id,
        status__in=AWAITING_DESK,
    ).count()


# What waits for the referring doctor: a proposed time to answer, an examination report to
# act on (close, or refer on for a visit or admission).
AWAITING_SENDER = (Status.PROPOSED, Status.REPORTED)


def referrer_waiting_count(*, actor: Actor) -> int:
    """The navigation's number beside "Referrals": the actor's own referrals waiting for
    their answer, and patients referred back down to their institution to accept (one
    COUNT)."""
    if actor.institution_id is None or not can_refer(actor):
        return 0
    institution = actor.institution_id
    return Referral.objects.filter(
        visible_referrals_q(actor),
        Q(
            sending_institution_id=institution,
            sending_user_id=actor.user_id,
            status__in=AWAITING_SENDER,
        )
        | Q(down_institution_id=institution, status=Status.DOWN_REQUESTED),
    ).count()


# What a referral's page and answer show of its relations, read with it in one query.
# The plan is a reverse one-to-one: joined too, so a referral without one costs nothing.
DETAIL_RELATED = ("previous", "plan")
# The relations a step's answer shows, read with the referral before the step.
STEP_RELATED = ("previous", "down_institution", "plan")


def get_referral_for(
    *, actor: Actor, referral_uuid: uuid_lib.UUID | str, intent: Intent = SHOW
) -> Referral:
    """NotFound for missing and forbidden alike. The read (unless it feeds a write) and
    the refusal are audited (core/reads.py)."""
    key = uuid_or_none(referral_uuid)
    found = (
        row_or_none(referrals_for(actor=actor).select_related(*DETAIL_RELATED).filter(uuid=key))
        if key
        else None
    )
    if found is None:
        _refused(actor=actor, referral_uuid=referral_uuid, key=key)
    read_recorded(
        actor=actor, intent=intent, resource_type="Referral", resource_id=found.uuid,
        patient_id=found.patient_id,
    )  # fmt: skip
    return found


def referral_rows(*, referral_uuid: uuid_lib.UUID | str) -> QuerySet[Referral]:
    """The referral of this key (none for a malformed one), with the relations a step's
    answer shows: for a step to hold (services/_core.referral_held)."""
    key = uuid_or_none(referral_uuid)
    if key is None:
        return Referral.objects.none()
    return Referral.objects.filter(uuid=key).select_related(
        "patient", "sending_institution", "receiving_institution", "receiving_department",
        *STEP_RELATED,
    )  # fmt: skip


def referral_refused(*, actor: Actor, referral_uuid: object, found: Referral | None) -> NoReturn:
    """A refused fetch on record (call it outside any block the NotFound unwinds), then
    NotFound. `found` is the row when it exists but is not visible."""
    if found is not None:
        _refused_as(actor, referral_uuid, found.patient_id)
    _refused(actor=actor, referral_uuid=referral_uuid, key=uuid_or_none(referral_uuid))


def _refused(*, actor: Actor, referral_uuid: object, key: uuid_lib.UUID | None) -> NoReturn:
    """The refused fetch on record (before the 404 unwinds anything), then NotFound."""
    patient_id = (
        Referral.objects.filter(uuid=key).values_list("patient_id", flat=True).first()
        if key
        else None
    )
    _refused_as(actor, referral_uuid, patient_id)


def _refused_as(actor: Actor, referral_uuid: object, patient_id: int | None) -> NoReturn:
    read_refused(
        actor=actor, resource_type="Referral", resource_id=referral_uuid, patient_id=patient_id
    )
    raise NotFound()


def referral_as_changed(*, changed: Referral, seen: Referral) -> Referral:
    """The referral a step returned, answered from what is held: the step re-read the row
    (its own fields are current) and a relation read before it still holds while it points
    at the same row (the patient and institutions always do; the down institution may not)."""
    relations_carry(into=changed, source=seen)
    # The rehabilitation plan: a step that writes or removes one leaves it on the row it
    # changed (or ends in a state that shows none), so what was read before still holds.
    plan = Referral.plan
    if plan.is_cached(seen) and not plan.is_cached(changed):
        plan.related.set_cached_value(changed, plan.related.get_cached_value(seen))
    return changed


def referral_by_number_for(*, actor: Actor, payload: str) -> Referral:
    """The referral a desk scans (the slip's QR code carries the number) or types in."""
    match = NUMBER.search((payload or "").upper())
    if match is None:
        raise NotFound()
    found = referrals_for(actor=actor, scope="incoming").filter(number=match.group(0)).first()
    if found is None:
        raise NotFound()
    return get_referral_for(actor=actor, referral_uuid=found.uuid)


def arrivals_for(*, actor: Actor, day: dt.date | None = None) -> QuerySet[Referral]:
    """Patients expected at the actor's institution on `day` (Shanghai), and green-channel
    referrals on their way."""
    day = day or timezone.localdate()
    begin = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    end = begin + dt.timedelta(days=1)
    expected = Q(slot_start__gte=begin, slot_start__lt=end) | Q(
        urgency="emergency", status__in=(Status.REQUESTED, Status.ACCEPTED)
    )
    return (
        referrals_for(actor=actor, scope="incoming")
        .filter(expected, status__in=(Status.REQUESTED, Status.ACCEPTED, Status.ARRIVED,
                                      Status.NO_SHOW))
        .order_by("slot_start", "created_at")
    )  # fmt: skip


def timeline_of(referral: Referral) -> QuerySet[ReferralEvent]:
    return referral.events.all()


def follow_ups_due_for(*, actor: Actor, until: dt.date | None = None) -> QuerySet[FollowUp]:
    """The plan dates in the actor's institution's task list: open follow-ups up to `until`
    (default: the next 7 days) of referrals in follow-up there."""
    until = until or timezone.localdate() + dt.timedelta(days=7)
    return (
        FollowUp.objects.filter(
            referral__in=referrals_for(actor=actor, scope="down", status=Status.FOLLOW_UP),
            visited_on__isnull=True,
            due_date__lte=until,
        )
        .select_related("referral__patient")
        .order_by("due_date")
    )


@dataclass(frozen=True)
class ConsultationReferrals:
    """A consultation's referrals as its workspace shows them: those it led to, whether this
    person may refer the patient up from it, and the signed opinion that advised it."""

    linked: list[Referral]
    may_refer: bool
    advised: Opinion | None


def consultation_referrals_for(
    *, actor: Actor, consultation: Consultation
) -> ConsultationReferrals | None:
    """None when the person works with no referrals. A doctor of the requesting institution
    may refer up once an opinion is signed (the two are linked both ways)."""
    if not can_view_referrals(actor):
        return None
    linked = list(referrals_for(actor=actor).filter(consultation_uuid=consultation.uuid)[:10])
    signed = [o for o in consultation_opinions(consultation=consultation) if o.signed_at]
    advised = [o for o in signed if o.referral_advised]
    may_refer = (
        can_refer(actor)
        and actor.institution_id == consultation.requesting_institution_id
        and bool(signed)
    )
    return ConsultationReferrals(
        linked, may_refer, max(advised, key=lambda o: o.version) if advised else None
    )


def criteria_unmet_counts(*, actor: Actor) -> list[dict[str, object]]:
    """For supervisors: referrals outside the criteria, per sending institution, in their
    region. Counts only, no patient rows."""
    if not actor.has_role("supervisor") or not actor.region_path:
        return []
    rows = (
        Referral.objects.filter(
            criteria_met=False, sending_institution__region__path__startswith=actor.region_path
        )
        .values("sending_institution__name")
        .annotate(count=Count("id"))
        .order_by("-count", "sending_institution__name")
    )
    return [{"institution": r["sending_institution__name"], "count": r["count"]} for r in rows]


def referral_targets_for(*, actor: Actor) -> QuerySet[Institution]:
    """The institutions that take referrals from the actor's institution, through an active
    collaboration link, higher levels first (the form's choices and the API's list)."""
    mine = Institution.objects.filter(pk=actor.institution_id or 0).first()
    if mine is None:
        return Institution.objects.none()
    return collaboration_providers_for(institution=mine, service="referral")
