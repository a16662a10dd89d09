"""Emergency access (break the glass): a clinician whose institution cares for a patient
opens what other institutions hold about them, for a few hours, with a reason. It is the
exception the sharing rules allow for (docs/adr/0013), so every use is loud: audited as
such, told to the institutions whose data it opens, and counted for supervisors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from xietong.core.events import event_emit

from ..access import (
    REGISTER_ROLES,
    break_glass_hours,
    institution_cares_for,
    patient_visible_to,
)
from ..models import BreakGlass, CareRelationship, Consent, Patient
from ..validation import interpolate

# Clinicians; an institution's administrator runs it and treats nobody.
BREAK_GLASS_ROLES = REGISTER_ROLES - {"institution_admin"}
REASON_MIN, REASON_MAX = 10, 300


# Apps above this one that hold parts of a record (documents) say which institutions hold
# them: patient id → institution ids. Registered from their AppConfig.ready().
HolderLookup = Callable[[int], Iterable[int]]
_HOLDER_LOOKUPS: list[HolderLookup] = []


def record_holders_register(lookup: HolderLookup) -> None:
    if lookup not in _HOLDER_LOOKUPS:
        _HOLDER_LOOKUPS.append(lookup)


def _holders(patient: Patient, institution_id: int) -> list[int]:
    """The other institutions holding something of the patient's record."""
    held = set(
        CareRelationship.objects.filter(patient=patient).values_list("institution_id", flat=True)
    )
    held |= set(Consent.objects.filter(patient=patient).values_list("institution_id", flat=True))
    for lookup in _HOLDER_LOOKUPS:
        held |= set(lookup(patient.pk))
    held.discard(institution_id)
    return sorted(held)


def patient_break_glass(*, actor: Actor, patient: Patient, reason: str) -> BreakGlass:
    if not patient_visible_to(actor, patient):
        raise NotFound()
    if not actor.has_role(*BREAK_GLASS_ROLES):
        raise NotPermitted(_("Only clinicians may use emergency access."))
    if actor.institution_id is None or not institution_cares_for(actor, patient.pk):
        # A clinician may open emergency access, but not before their institution takes the
        # patient into its care: the state of the relationship refuses it (409), not the role.
        raise Conflict(_("Register the patient at your institution first."))
    text = " ".join((reason or "").split())
    if len(text) < REASON_MIN:
        raise ValidationFailed.single(
            "reason",
            interpolate(
                _("Say why, in at least %(limit)d characters: it is sent to the institutions "
                  "whose records you open."),
                limit=REASON_MIN,
            ),
        )  # fmt: skip
    if len(text) > REASON_MAX:
        raise ValidationFailed.single(
            "reason", interpolate(_("At most %(limit)d characters."), limit=REASON_MAX)
        )
    ends_at = timezone.now() + dt.timedelta(hours=break_glass_hours())
    holders = _holders(patient, actor.institution_id)
    with transaction.atomic():
        opened = BreakGlass.objects.create(
            patient=patient, user_id=actor.user_id, institution_id=actor.institution_id,
            reason=text, ends_at=ends_at,
        )  # fmt: skip
        audit_record(
            actor=actor,
            action="access.break_glass",
            resource_type="Patient",
            resource_id=patient.uuid,
            patient_id=patient.pk,
            detail={"reason": text, "ends_at": ends_at.isoformat(), "holders": holders},
        )
        event_emit(
            "patient.break_glass",
            patient_id=patient.pk,
            patient_uuid=str(patient.uuid),
            user_id=actor.user_id,
            username=actor.username,
            institution_id=actor.institution_id,
            institution_name=actor.institution_name,
            holders=holders,
            reason=text,
        )
    return opened
