"""Who may register patients and who may see them.

A patient's data is visible to the institutions that have a care relationship with them
(they registered the patient, care for them, or take part in a consultation or referral about
them), and there only to members whose roles are clinical. Supervisors see aggregates, never
patient rows; platform administrators run the platform and see no patient data by default."""

from __future__ import annotations

import datetime as dt
import itertools

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from xietong.core.actor import Actor

from .models import (
    BreakGlass,
    CareReason,
    CareRelationship,
    Consent,
    ConsentKind,
    ConsentStatus,
    Patient,
    PatientAccessGrant,
)

# The roles that register residents as patients at their institution.
REGISTER_ROLES = frozenset(
    {"requester", "referral_desk", "coordinator", "qc", "expert", "institution_admin"}
)
# The roles that read the patients of their institution: those who register them, and
# pharmacists reviewing prescriptions.
VIEW_ROLES = REGISTER_ROLES | {"pharmacist"}


def can_register_patients(actor: Actor) -> bool:
    return actor.institution_id is not None and bool(actor.roles & REGISTER_ROLES)


def can_view_patients(actor: Actor) -> bool:
    return actor.institution_id is not None and bool(actor.roles & VIEW_ROLES)


def visible_patients_q(actor: Actor) -> Q:
    """A filter on Patient that keeps what the actor may see: the patients their institution
    cares for, and those granted to them by name (an assigned expert). Written as EXISTS over
    unique indexes, so it neither multiplies rows nor scans care rows."""
    institution_id = actor.institution_id
    if institution_id is None or not can_view_patients(actor):
        return Q(pk__in=[])
    cared = CareRelationship.objects.filter(
        patient_id=OuterRef("pk"), institution_id=institution_id
    )
    granted = PatientAccessGrant.objects.filter(
        live_grants_q(), patient_id=OuterRef("pk"), user_id=actor.user_id
    )
    return Q(Exists(cared)) | Q(Exists(granted))


def visible_patient_column_q(actor: Actor, column: str) -> Q:
    """The same rule as `visible_patients_q`, as a filter on another table's patient column:
    two uncorrelated lists (the institution's care rows, the user's live grants) that the
    database hashes once, for a scan that checks thousands of rows (a hospital-wide search's
    tokens) where a probe per row would cost more than the scan."""
    institution_id = actor.institution_id
    if institution_id is None or not can_view_patients(actor):
        return Q(pk__in=[])
    cared = CareRelationship.objects.filter(institution_id=institution_id)
    granted = PatientAccessGrant.objects.filter(live_grants_q(), user_id=actor.user_id)
    return Q(**{f"{column}__in": cared.values("patient_id")}) | Q(
        **{f"{column}__in": granted.values("patient_id")}
    )


def live_grants_q(*, writable: bool = False) -> Q:
    """Grants that still read (not revoked; not past their read-only period), or that still
    write (not revoked, the work not ended)."""
    q = Q(revoked_at__isnull=True)
    if writable:
        return q & Q(read_only_until__isnull=True)
    return q & (Q(read_only_until__isnull=True) | Q(read_only_until__gt=timezone.now()))


_SEEN_BY = "_xt_seen_by"
# Bumped whenever access is taken away in this process (patients/grants.py): a yes kept on a
# patient object before then is asked again.
_taken_away = itertools.count()
_generation = 0


def access_taken_away() -> None:
    global _generation
    _generation = next(_taken_away) + 1


def patient_visible_to(actor: Actor, patient: Patient) -> bool:
    """Whether the actor may see the patient. A yes is kept on the patient object for this
    actor (a request's selector, its service and the record's filing ask once between them)
    until access is taken away; a no is asked again, since a grant may open it."""
    seen: dict[tuple[int, int | None], int] = patient.__dict__.setdefault(_SEEN_BY, {})
    if seen.get((actor.user_id, actor.membership_id)) == _generation:
        return True
    if Patient.objects.filter(visible_patients_q(actor), pk=patient.pk).exists():
        patient_seen_by(actor, patient)
        return True
    return False


def patient_seen_by(actor: Actor, patient: Patient) -> None:
    """Notes on the patient object that the actor may see it (read in the same query that
    fetched it)."""
    patient.__dict__.setdefault(_SEEN_BY, {})[(actor.user_id, actor.membership_id)] = _generation


def shared_read_days() -> int:
    """How long after a consultation or referral ends its parties still read what was shared
    for it (XT_SHARED_READ_DAYS)."""
    return int(settings.XT_SHARED_READ_DAYS)


def break_glass_hours() -> int:
    return int(settings.XT_BREAK_GLASS_HOURS)


def institution_cares_for(actor: Actor, patient_id: int) -> bool:
    """The actor's institution registered or cares for the patient (it may write to the
    record, and reads what it filed itself)."""
    return (
        actor.institution_id is not None
        and can_view_patients(actor)
        and CareRelationship.objects.filter(
            patient_id=patient_id, institution_id=actor.institution_id
        ).exists()
    )


def grant_writes_for(actor: Actor, patient_id: int, source: str) -> bool:
    """A named person's grant for a piece of work lets them file what that work produces
    (an expert's opinion), and nothing else, until the work ends."""
    return (
        bool(source)
        and PatientAccessGrant.objects.filter(
            live_grants_q(writable=True),
            patient_id=patient_id,
            user_id=actor.user_id,
            source=source,
        ).exists()
    )


def grant_of_work_for(actor: Actor, patient_id: int, source: str) -> bool:
    """A grant for this piece of work that still reads: live, or ended with the work and in
    its read-only days. What the work itself produced when it happened (an opinion signed
    while the grant wrote) is filed under it, even when the filing runs after the work ended."""
    return (
        bool(source)
        and PatientAccessGrant.objects.filter(
            live_grants_q(), patient_id=patient_id, user_id=actor.user_id, source=source
        ).exists()
    )


def grant_sources_for(actor: Actor, patient_id: int) -> list[str]:
    """The pieces of work the actor is granted this patient for (while the grants read)."""
    return list(
        PatientAccessGrant.objects.filter(
            live_grants_q(), patient_id=patient_id, user_id=actor.user_id
        ).values_list("source", flat=True)
    )


def sharing_consent_at(institution_id: int | None, patient_id: int) -> bool:
    return (
        institution_id is not None
        and Consent.objects.filter(
            patient_id=patient_id,
            institution_id=institution_id,
            kind=ConsentKind.SHARING,
            status=ConsentStatus.ACTIVE,
        ).exists()
    )


def break_glass_live_for(actor: Actor, patient_id: int) -> BreakGlass | None:
    if actor.institution_id is None:
        return None
    return (
        BreakGlass.objects.filter(
            patient_id=patient_id,
            user_id=actor.user_id,
            institution_id=actor.institution_id,
            ends_at__gt=timezone.now(),
        )
        .order_by("-ends_at")
        .first()
    )


def whole_record_open_to(actor: Actor, patient_id: int) -> bool:
    """What other institutions hold about the patient is open to the actor: the patient
    consented to sharing at the actor's institution, or the actor broke the glass."""
    if actor.institution_id is None or not can_view_patients(actor):
        return False
    if not institution_cares_for(actor, patient_id):
        return False
    return sharing_consent_at(actor.institution_id, patient_id) or (
        break_glass_live_for(actor, patient_id) is not None
    )


def work_access_to(actor: Actor, patient_id: int) -> bool:
    """The actor sees the patient for a consultation or referral their institution or they
    themselves take part in: the record as the work needs it (consents, who else cares)."""
    if actor.institution_id is None or not can_view_patients(actor):
        return False
    return (
        CareRelationship.objects.filter(
            patient_id=patient_id,
            institution_id=actor.institution_id,
            reason__in=[CareReason.CONSULTATION, CareReason.REFERRAL, CareReason.CARES],
        ).exists()
        or PatientAccessGrant.objects.filter(
            live_grants_q(), patient_id=patient_id, user_id=actor.user_id
        ).exists()
    )


def record_wide_for(actor: Actor, patient_id: int) -> bool:
    """Whether the actor sees the patient's record beyond what their institution holds:
    the identity card's contact details, other institutions' consents and care."""
    return work_access_to(actor, patient_id) or whole_record_open_to(actor, patient_id)


def shared_until(ended_at: dt.datetime | None) -> dt.datetime | None:
    """The end of the read-only period after work that ended at `ended_at`."""
    return None if ended_at is None else ended_at + dt.timedelta(days=shared_read_days())
