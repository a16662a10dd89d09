"""The sending side: the up-referral itself, cancelling it, and answering a proposed time."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Message, NotFound, NotPermitted, ValidationFailed
from xietong.core.events import event_emit
from xietong.core.icd10 import icd_normalise, icd_valid
from xietong.core.reads import CHANGE
from xietong.core.times import local_time
from xietong.core.workflow import business_number_next
from xietong.directory.choices import Service
from xietong.directory.selectors import collaboration_link_exists
from xietong.patients.access import patient_visible_to
from xietong.patients.selectors import has_active_consent
from xietong.records.selectors import documents_among_for
from xietong.scheduling.choices import ExaminationType
from xietong.scheduling.services import BookingKnown, booking_create, booking_move

from ..access import can_refer, visible_referrals_q
from ..criteria import criteria_check
from ..models import Kind, Outcome, Referral, Status, Urgency
from ..notify import desk_ids, patient_sms, receiver_doctor_ids, staff_tell
from ..workflow import Action
from ._bookings import SUBJECT, booking_release, slot_problems
from ._core import MACHINE, NUMBER_PREFIX, care_keep, held, timeline_add

if TYPE_CHECKING:
    from xietong.directory.models import Department, Institution
    from xietong.patients.models import Patient
    from xietong.scheduling.models import Slot

TEXT_LIMITS = {"reason": 2000, "clinical_summary": 8000, "diagnosis_text": 200}


def green_ack_minutes() -> int:
    return int(settings.XT_REFERRAL_GREEN_ACK_MINUTES)


def referral_link_exists(*, provider_id: int, client_id: int) -> bool:
    return collaboration_link_exists(
        provider_id=provider_id, client_id=client_id, service=Service.REFERRAL
    )


def _documents(actor: Actor, patient: Patient, wanted: Sequence[Any]) -> tuple[list[str], bool]:
    """The records to share: current documents of this patient that the sender may read."""
    try:
        keys = sorted({str(uuid.UUID(str(w))) for w in wanted})
    except ValueError:
        return [], False
    if not keys:
        return [], True
    found = documents_among_for(
        actor=actor, patient=patient, document_uuids=keys, current_only=True
    ).count()
    return keys, found == len(keys)


def _previous(actor: Actor, previous: Referral | None, patient: Patient) -> list[Message]:
    if previous is None:
        return []
    if (
        not Referral.objects.filter(visible_referrals_q(actor), pk=previous.pk).exists()
        or previous.patient_id != patient.pk
    ):
        return [_("The earlier referral is not one of this patient's that you can see.")]
    if previous.status != Status.REPORTED or previous.kind != Kind.EXAMINATION:
        return [_("Only an examination referral with its report can be followed on.")]
    return []


def _consultation(actor: Actor, value: Any, patient: Patient) -> tuple[uuid.UUID | None, bool]:
    if not value:
        return None, True
    from xietong.consultations.selectors import get_consultation_for

    try:
        consultation = get_consultation_for(actor=actor, consultation_uuid=value, intent=CHANGE)
    except NotFound:
        return None, False
    return consultation.uuid, consultation.patient_id == patient.pk


def referral_create(
    *,
    actor: Actor,
    patient: Patient,
    kind: str,
    receiving_institution: Institution | None,
    reason: str,
    clinical_summary: str,
    diagnosis_code: str,
    diagnosis_text: str,
    urgency: str = Urgency.ROUTINE,
    slot: Slot | None = None,
    receiving_department: Department | None = None,
    examination_type: str = "",
    shared_documents: Sequence[Any] = (),
    justification: str = "",
    previous: Referral | None = None,
    consultation_uuid: Any = None,
) -> Referral:
    """An up-referral into a booked slot (or, for an emergency, the green channel without
    one). The place is taken in the same transaction: if the slot is gone, SlotTaken (409)
    offers the next free ones and nothing is kept."""
    # The refusal rule's order (core/errors.py): not visible first, then the role.
    if not patient_visible_to(actor, patient):
        raise NotFound()
    if not can_refer(actor):
        raise NotPermitted(_("Only a doctor of the sending institution may refer a patient."))
    errors: dict[str, list[Message]] = {}
    texts = {
        "reason": (reason or "").strip(),
        "clinical_summary": (clinical_summary or "").strip(),
        "diagnosis_text": (diagnosis_text or "").strip(),
    }
    for name, value in texts.items():
        if not value:
            errors[name] = [_("This field is required.")]
        elif len(value) > TEXT_LIMITS[name]:
            errors[name] = [_("At most %(n)d characters.") % {"n": TEXT_LIMITS[name]}]
    code = icd_normalise(diagnosis_code)
    if not icd_valid(code):
        errors["diagnosis_code"] = [_("Enter an ICD-10 code such as I21.4.")]
    if kind not in Kind.values:
        errors["kind"] = [_("Select a valid choice.")]
    if urgency not in Urgency.values:
        errors["urgency"] = [_("Select a valid choice.")]
    institution_id = actor.institution_id or 0
    if receiving_institution is None or not receiving_institution.active:
        errors["receiving_institution"] = [_("Choose the institution to refer to.")]
    elif receiving_institution.pk == institution_id:
        errors["receiving_institution"] = [
            _("A patient cannot be referred to your own institution.")
        ]
    elif not referral_link_exists(provider_id=receiving_institution.pk, client_id=institution_id):
        errors["receiving_institution"] = [
            _(
                "Your institution has no referral collaboration with %(name)s; "
                "it cannot receive your referrals."
            )
            % {"name": receiving_institution.name}
        ]
    green = urgency == Urgency.EMERGENCY
    if not green and slot is None:
        errors["slot"] = [_("Choose a slot (only an emergency goes without one).")]
    elif slot is not None and receiving_institution is not None and kind in Kind.values:
        problems = slot_problems(slot=slot, kind=kind, institution_id=receiving_institution.pk)
        if problems:
            errors["slot"] = problems
    if slot is not None and not green:
        receiving_department = receiving_department or slot.department
        examination_type = examination_type or slot.examination_type
    if kind == Kind.EXAMINATION and examination_type not in ExaminationType.values:
        errors["examination_type"] = [_("Choose the examination.")]
    if not has_active_consent(patient, "telemedicine"):
        errors["consent"] = [
            _("Record the patient's signed consent before referring (on the patient's page).")
        ]
    documents, documents_ok = _documents(actor, patient, shared_documents)
    if not documents_ok:
        errors["shared_documents"] = [_("Share only this patient's current documents.")]
    if previous_problems := _previous(actor, previous, patient):
        errors["previous"] = previous_problems
    consultation_key, consultation_ok = _consultation(actor, consultation_uuid, patient)
    if not consultation_ok:
        errors["consultation"] = [_("The consultation is not one of this patient's.")]
    sending_level = actor.institution_level
    criteria = criteria_check(diagnosis_code=code, sending_level=sending_level, kind=kind)
    justification = (justification or "").strip()
    if not criteria.met and not justification and "diagnosis_code" not in errors:
        errors["justification"] = [
            _(
                "This referral does not meet the referral criteria for its diagnosis and your "
                "level. Write why the patient needs it."
            )
        ]
    if errors:
        raise ValidationFailed(errors)
    assert receiving_institution is not None
    now = timezone.now()
    with transaction.atomic():
        r = Referral(
            number=business_number_next(prefix=NUMBER_PREFIX, day=timezone.localdate()),
            kind=kind,
            urgency=urgency,
            patient=patient,
            sending_institution_id=institution_id,
            sending_user_id=actor.user_id,
            receiving_institution=receiving_institution,
            receiving_department=receiving_department,
            examination_type=examination_type if kind == Kind.EXAMINATION else "",
            previous=previous,
            consultation_uuid=consultation_key,
            reason=texts["reason"],
            clinical_summary=texts["clinical_summary"],
            diagnosis_code=code,
            diagnosis_text=texts["diagnosis_text"],
            shared_documents=documents,
            criteria_met=criteria.met,
            criteria_group=criteria.group,
            justification=justification,
            status=Status.REQUESTED,
            status_changed_at=now,
        )
        if green:
            r.ack_by = now + dt.timedelta(minutes=green_ack_minutes())
        elif slot is not None:
            booking = booking_create(
                actor=actor,
                slot=slot,
                subject_type=SUBJECT,
                subject_id=r.uuid,
                patient=patient,
                via_referral=True,
                workflow=SUBJECT,
            )
            r.booking_uuid = booking.uuid
            r.slot_start = slot.start
        r.save(force_insert=True)
        care_keep(actor=actor, referral=r, institution_id=receiving_institution.pk)
        audit_record(
            actor=actor,
            action="referral.create",
            resource_type="Referral",
            resource_id=r.uuid,
            patient_id=patient.pk,
            detail={
                "number": r.number,
                "kind": kind,
                "urgency": urgency,
                "to": receiving_institution.code,
                "criteria_met": criteria.met,
            },
        )
        timeline_add(r, actor=actor, action="create", note=justification)
        if previous is not None:
            _close_previous(actor=actor, previous=previous, follow_on=r)
        event_emit("referral.create", referral=str(r.uuid), status=r.status)
        if green:
            staff_tell(
                user_ids=desk_ids(r) + receiver_doctor_ids(r),
                kind="referral.green_channel",
                title=gettext_lazy("Green channel: an emergency referral is on its way"),
                r=r,
                sms=True,
            )
        else:
            staff_tell(
                user_ids=desk_ids(r),
                kind="referral.create",
                title=gettext_lazy("A new referral awaits your answer"),
                r=r,
            )
    return r


def _close_previous(*, actor: Actor, previous: Referral, follow_on: Referral) -> None:
    """An examination referral followed on by a visit or transfer is closed by it."""
    step = MACHINE.step_begin(actor=actor, obj=previous, action=Action.CLOSE)
    step.obj.outcome = Outcome.REFERRED_ON
    step.obj.outcome_note = follow_on.number
    step.reason = follow_on.number
    MACHINE.step_finish(step, update_fields=["outcome", "outcome_note"])


def _reason(value: str, field: str = "reason") -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed.single(field, _("Give the reason."))
    if len(value) > 2000:
        raise ValidationFailed.single(field, _("At most %(n)d characters.") % {"n": 2000})
    return value


def referral_cancel(*, actor: Actor, referral: Referral, reason: str) -> Referral:
    """The sender withdraws a referral that has not taken place; the place is freed."""
    reason = _reason(reason)
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=referral, action=Action.CANCEL)
        r = held(step, referral)
        booking_release(actor=actor, r=r, reason=reason)
        r.cancel_reason = reason
        step.reason = reason
        r = MACHINE.step_finish(
            step,
            notify=desk_ids(r),
            title=gettext_lazy("A referral was cancelled"),
            update_fields=["cancel_reason"],
        )
        patient_sms(r=r, text=_("Referral %(number)s was cancelled.") % {"number": r.number})
    return r


def referral_proposal_accept(*, actor: Actor, referral: Referral) -> Referral:
    """The sender takes the proposed time: the place moves to it in one transaction; if the
    proposed slot was taken meanwhile, SlotTaken and nothing changes."""
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=referral, action=Action.PROPOSAL_ACCEPT)
        r = held(step, referral)
        if r.proposed_slot_uuid is None or r.booking_uuid is None:
            raise ValidationFailed.single("slot", _("The proposed slot no longer exists."))
        known = BookingKnown(
            uuid=r.booking_uuid,
            subject_type=SUBJECT,
            subject_id=r.uuid,
            patient_id=r.patient_id,
            via_referral=True,  # a referral books the places kept for referrals
        )
        slot = booking_move(
            actor=actor, booking=known, slot_uuid=r.proposed_slot_uuid, workflow=SUBJECT
        )
        r.slot_start = slot.start
        r.proposed_slot_uuid = None
        fields = ["slot_start", "proposed_slot_uuid"]
        r = MACHINE.step_finish(
            step,
            notify=desk_ids(r),
            title=gettext_lazy("The proposed time was accepted"),
            update_fields=fields,
        )
        _tell_patient_booked(r)
    return r


def referral_proposal_decline(*, actor: Actor, referral: Referral, reason: str) -> Referral:
    reason = _reason(reason)
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=referral, action=Action.PROPOSAL_DECLINE)
        r = held(step, referral)
        booking_release(actor=actor, r=r, reason=reason)
        r.cancel_reason = reason
        step.reason = reason
        r = MACHINE.step_finish(
            step,
            notify=desk_ids(r),
            title=gettext_lazy("The proposed time was declined"),
            update_fields=["cancel_reason"],
        )
    return r


def _tell_patient_booked(r: Referral) -> None:
    where = r.receiving_institution.name
    when = local_time(r.slot_start) if r.slot_start else ""
    patient_sms(
        r=r,
        text=_(
            "Referral %(number)s: please come to %(where)s at %(when)s with your ID card and "
            "the referral slip."
        )
        % {"number": r.number, "where": where, "when": when},
    )
