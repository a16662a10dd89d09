"""What the consultation operations share: the router, the refusals a step declares, the
shape of the answer, and the lookups of experts and slots named in a request."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Router, Schema

from xietong.core.actor import Actor
from xietong.core.api import ErrorOut
from xietong.core.errors import NotFound, ValidationFailed
from xietong.core.http import ApiRequest
from xietong.core.reads import CHANGE
from xietong.directory.selectors import experts_by_practitioner
from xietong.scheduling.selectors import get_slot

from .. import services as svc
from ..models import Consultation, ConsultationEvent, Opinion
from ..models import Status as State
from ..selectors import consultation_assignments, get_consultation_for
from ..workflow import fhir_status

if TYPE_CHECKING:
    from xietong.directory.models import Expert
    from xietong.scheduling.models import Slot

router = Router(tags=["consultations"])

# A step's refusals: not visible (404), a role that never takes the step (403), not this
# party or state now (409), bad input (422).
ACT = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}

_FIELDS = (
    "uuid",
    "number",
    "kind",
    "mode",
    "urgency",
    "status",
    "reason",
    "purpose",
    "wanted_title",
    "preferred_target",
    "preferred_times",
    "chief_complaint",
    "present_illness",
    "history",
    "examination",
    "diagnosis_code",
    "diagnosis_text",
    "current_treatment",
    "created_at",
    "submitted_at",
    "accept_by",
    "answer_by",
    "scheduled_start",
    "room",
    "rating",
    "rating_comment",
    "cancel_reason",
)


def given(payload: Schema, *exclude: str) -> dict[str, Any]:
    """The fields the caller sent, as the services take them."""
    values = payload.dict(exclude_unset=True, exclude=set(exclude))
    if values.get("preferred_expert") is not None:
        values["preferred_expert"] = str(values["preferred_expert"])
    return values


def consultation_out(c: Consultation, actor: Actor) -> dict[str, Any]:
    fhir = fhir_status(c.status)
    return {
        **{f: getattr(c, f) for f in _FIELDS},
        "patient": c.patient.uuid,
        "patient_name": c.patient.name,
        "requesting_institution": c.requesting_institution.name,
        "requesting_user": str(c.requesting_user),
        "centre": c.centre.name,
        "status_label": str(State(c.status).label),
        "fhir_task_status": fhir.task_status,
        "fhir_business_status": fhir.business_status,
        "wanted_department": c.wanted_department.code if c.wanted_department else None,
        "preferred_expert": c.preferred_expert.practitioner.uuid if c.preferred_expert else None,
        "preferred_department": c.preferred_department.code if c.preferred_department else None,
        "actions": [str(a) for a in svc.consultation_actions(actor=actor, consultation=c)],
        "assignments": [
            {
                "expert": a.expert.practitioner.uuid,
                "name": a.expert.practitioner.name,
                "institution": a.expert.practitioner.institution.name,
                "lead": a.lead,
                "status": a.status,
                "decline_reason": a.decline_reason,
            }
            for a in consultation_assignments(consultation=c)
        ],
    }


def opinion_out(o: Opinion) -> dict[str, Any]:
    return {
        "uuid": o.uuid,
        "expert": o.expert.practitioner.uuid,
        "expert_name": o.expert.practitioner.name,
        "part": o.part,
        "version": o.version,
        "diagnosis": o.diagnosis,
        "recommendations": o.recommendations,
        "referral_advised": o.referral_advised,
        "referral_to_institution": (
            o.referral_to_institution.uuid if o.referral_to_institution else None
        ),
        "referral_to": o.referral_to,
        "follow_up": o.follow_up,
        "signed": o.is_signed,
        "signed_at": o.signed_at,
        "content_hash": o.content_hash,
        "supersedes": o.supersedes.uuid if o.supersedes else None,
        "correction_reason": o.correction_reason,
    }


def event_out(e: ConsultationEvent) -> dict[str, Any]:
    return {
        "at": e.at,
        "actor": e.actor_name,
        "action": e.action,
        "from_status": e.from_status,
        "to_status": e.to_status,
        "reason": e.reason,
    }


def to_act_on(request: ApiRequest, consultation_uuid: UUID) -> AbstractContextManager[Consultation]:
    """The consultation a step changes, read and locked once for the block (the step's
    transaction); the write is audited, not a read."""
    return svc.consultation_held(actor=request.auth, consultation_uuid=consultation_uuid)


def to_sign(request: ApiRequest, consultation_uuid: UUID) -> Consultation:
    """The consultation whose opinion is signed or corrected, not held: signing lets go of
    the row while it checks the password, so that a wrong one is counted (and the account
    locked) whatever else happens (services/opinions.py)."""
    return get_consultation_for(
        actor=request.auth, consultation_uuid=consultation_uuid, intent=CHANGE
    )


def answer(request: ApiRequest, changed: Consultation) -> dict[str, Any]:
    """The consultation as the step left it, with what the caller may do next: answered from
    the row the step locked, which carries the relations read before it (the engine's
    `relations_carry`), so it is not read a third time. Every step but an expert's decline
    leaves the caller seeing it (the decline answers what it was when they let go)."""
    return consultation_out(changed, request.auth)


def experts_named(keys: list[UUID]) -> list[Expert]:
    """The experts a request names by their practitioner keys, in that order."""
    found = experts_by_practitioner(keys=keys)
    missing = [str(k) for k in keys if k not in found]
    if missing:
        raise ValidationFailed.single(
            "experts", _("Unknown expert: %(ids)s") % {"ids": ", ".join(missing)}
        )
    return [found[k] for k in keys]


def slot_named(key: UUID) -> Slot:
    try:
        return get_slot(slot_uuid=key)
    except NotFound:
        raise ValidationFailed.single("slot", _("Unknown time slot.")) from None
