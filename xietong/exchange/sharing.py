"""Which pushed resources an actor reads (docs/adr/0033): the one filter every read of
FhirResource rows goes through — the FHIR read, search and `_include`, `$everything`, the
resident's record page, its trends and the patient page's counts.

What a hospital's gateway pushed belongs to that hospital, as documents do (ADR 13). Among the
patients the actor sees (patients/access.py), they read
- what their own institution pushed;
- what another institution pushed, only
  (a) when a consultation or referral they take part in shares it: the workflow apps, which
      sit above this one, register a function naming the resources their work shares (the
      entries the requester attached), and stop naming them XT_SHARED_READ_DAYS after the
      work ended;
  (b) while the patient's active consent of kind `sharing` at their institution stands, or
  (c) for the hours of a break-the-glass access they opened;
  (b) and (c) need their institution's care relationship, as for documents.
Supervisors and health authorities see no patient (can_view_patients) and so no resource.

Written as EXISTS subqueries, so a read costs the queries it cost before."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from xietong.core.actor import Actor
from xietong.patients.access import can_view_patients, visible_patients_q
from xietong.patients.models import (
    BreakGlass,
    CareRelationship,
    Consent,
    ConsentKind,
    ConsentStatus,
    Patient,
)

# actor -> the ids of the FhirResource rows a piece of work shares with them, as a subquery.
ResourceShare = Callable[[Actor], QuerySet]
_SHARES: list[ResourceShare] = []
NOTHING = Q(pk__in=[])


def resource_share_register(share: ResourceShare) -> None:
    """Called from a workflow app's AppConfig.ready(); idempotent."""
    if share not in _SHARES:
        _SHARES.append(share)


def resources_shared_with(actor: Actor) -> Q:
    """What the actor's work shares of other institutions' resources (ground a)."""
    q = NOTHING
    for share in _SHARES:
        q |= Q(pk__in=share(actor))
    return q


def resources_readable_q(*, actor: Actor, patient_id: int | None = None) -> Q:
    """A filter on FhirResource keeping what the actor reads. Across patients (a search),
    the patient is each row's own; `patient_id` names it for a record read through one
    patient, so that what refers to the patient's Patient resources but is not linked yet
    ($everything) is judged as the patient's."""
    institution_id = actor.institution_id
    if institution_id is None or not can_view_patients(actor):
        return NOTHING
    # Any: django-stubs types each lookup as a value, not as an OuterRef.
    patient: Any = OuterRef("patient_id") if patient_id is None else patient_id
    seen = Exists(Patient.objects.filter(visible_patients_q(actor), pk=patient))
    cared = Exists(
        CareRelationship.objects.filter(patient_id=patient, institution_id=institution_id)
    )
    consented = Exists(
        Consent.objects.filter(
            patient_id=patient, institution_id=institution_id, kind=ConsentKind.SHARING,
            status=ConsentStatus.ACTIVE,
        )
    )  # fmt: skip
    glass = Exists(
        BreakGlass.objects.filter(
            patient_id=patient, user_id=actor.user_id, institution_id=institution_id,
            ends_at__gt=timezone.now(),
        )
    )  # fmt: skip
    grounds = (
        Q(source_institution_id=institution_id)
        | (Q(cared) & (Q(consented) | Q(glass)))
        | resources_shared_with(actor)
    )
    return Q(seen) & grounds
