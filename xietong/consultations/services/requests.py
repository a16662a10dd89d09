"""The requester's side: draft, submit, amend and resubmit, acknowledge; and cancelling,
which the centre may do as well."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Message, NotFound, NotPermitted, ValidationFailed
from xietong.core.icd10 import icd_valid
from xietong.directory.choices import Title
from xietong.directory.selectors import (
    active_expert_by_practitioner,
    department_by_code,
    institution_by_id,
    serving_provider_for,
)
from xietong.patients.access import patient_visible_to
from xietong.patients.selectors import has_active_consent

from ..access import REQUESTER_ROLES, assignments_of
from ..models import (
    LIVE_ASSIGNMENT,
    AssignmentStatus,
    Consultation,
    ConsultationEvent,
    Kind,
    Mode,
    PreferredTarget,
    Status,
    Urgency,
)
from ..workflow import Action
from ._core import (
    MACHINE,
    coordinator_ids,
    deadlines_minutes,
    expert_ids,
    number_next,
    qc_ids,
    requester_ids,
)

if TYPE_CHECKING:
    from xietong.directory.models import Department, Expert, Institution
    from xietong.patients.models import Patient

TEXT_FIELDS = (
    "reason",
    "purpose",
    "chief_complaint",
    "present_illness",
    "history",
    "examination",
    "diagnosis_code",
    "diagnosis_text",
    "current_treatment",
)
CHOICE_FIELDS: dict[str, list[str]] = {
    "kind": Kind.values,
    "mode": Mode.values,
    "urgency": Urgency.values,
    "wanted_title": ["", *Title.values],
    "preferred_target": PreferredTarget.values,
}
EDITABLE = (
    *TEXT_FIELDS,
    *CHOICE_FIELDS,
    "wanted_department",
    "preferred_expert",
    "preferred_department",
    "preferred_times",
)


# The collaboration links that route each kind of consultation: an imaging, ECG or pathology
# consultation goes to the reading centre that serves the requester for that service, where
# the directory links one; otherwise, like the rest, to its consultation centre.
SERVICE_OF_KIND = {Kind.IMAGING: "imaging", Kind.ECG: "ecg", Kind.PATHOLOGY: "pathology"}


def serving_centre_for(institution: Institution, kind: str = Kind.GENERAL) -> Institution | None:
    """The centre that serves this institution for this kind of consultation: a telemedicine
    centre if one is linked, else the highest provider."""
    service = SERVICE_OF_KIND.get(Kind(kind), "consultation")
    return serving_provider_for(institution=institution, services=(service, "consultation"))


def _no_centre() -> ValidationFailed:
    return ValidationFailed.single(
        "__all__", _("No telemedicine centre serves your institution for consultations.")
    )


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Check the shape of what was sent (a draft may be incomplete, never malformed)."""
    errors: dict[str, list[Message]] = {}
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in EDITABLE:
            errors.setdefault(name, []).append(_("This field cannot be changed here."))
        elif name in TEXT_FIELDS:
            out[name] = (value or "").strip()
        elif name in CHOICE_FIELDS:
            if (value or "") not in CHOICE_FIELDS[name]:
                errors.setdefault(name, []).append(_("Choose one of the listed values."))
            else:
                out[name] = value or ""
        elif name == "preferred_times":
            times = [value] if isinstance(value, str) else list(value or [])
            out[name] = [str(t).strip() for t in times if str(t).strip()]
        elif name in ("wanted_department", "preferred_department"):
            out[name] = _department(value, name, errors)
        elif name == "preferred_expert":
            out[name] = _expert(value, errors)
    code = out.get("diagnosis_code", "")
    if code:
        out["diagnosis_code"] = code = code.upper()
        if not icd_valid(code):
            errors.setdefault("diagnosis_code", []).append(_("Enter an ICD-10 code such as I21.9."))
    if errors:
        raise ValidationFailed(errors)
    return out


def _row_given(value: Any, name: str) -> bool:
    """A row of the table the field points to, taken as it is (the demo passes the
    directory's rows; the API and the form pass keys). The field knows that table, so the
    check imports none."""
    table = Consultation._meta.get_field(name).related_model
    return isinstance(table, type) and isinstance(value, table)


def _department(value: Any, name: str, errors: dict[str, list[Message]]) -> Department | None:
    if value in (None, ""):
        return None
    if _row_given(value, name):
        return value
    department = department_by_code(code=str(value))
    if department is None:
        errors.setdefault(name, []).append(_("Unknown department."))
    return department


def _expert(value: Any, errors: dict[str, list[Message]]) -> Expert | None:
    if value in (None, ""):
        return None
    if _row_given(value, "preferred_expert"):
        return value
    expert = active_expert_by_practitioner(uuid=str(value))
    if expert is None:
        errors.setdefault("preferred_expert", []).append(_("Unknown expert."))
    return expert


def consultation_create(*, actor: Actor, patient: Patient, **values: Any) -> Consultation:
    """A draft. Drafts save without the patient's consent; submitting needs it."""
    if not patient_visible_to(actor, patient):
        raise NotFound()
    if not actor.has_role(*REQUESTER_ROLES):
        raise NotPermitted(_("Your role may not ask for a consultation."))
    cleaned = _clean(values)
    institution = institution_by_id(institution_id=actor.institution_id or 0)
    kind = cleaned.get("kind") or Kind.GENERAL
    centre = serving_centre_for(institution, kind) if institution is not None else None
    if institution is None or centre is None:
        raise _no_centre()
    now = timezone.now()
    with transaction.atomic():
        c = Consultation.objects.create(
            number=number_next(day=timezone.localdate(now)),
            patient=patient,
            requesting_institution=institution,
            requesting_user_id=actor.user_id,
            centre=centre,
            status=Status.DRAFT,
            status_changed_at=now,
            **cleaned,
        )
        audit_record(
            actor=actor,
            action="consultation.create",
            resource_type="Consultation",
            resource_id=c.uuid,
            patient_id=patient.pk,
            detail={"number": c.number},
        )
        ConsultationEvent.objects.create(
            consultation=c,
            actor_user_id=actor.user_id,
            actor_name=actor.shown_name,
            action="create",
            to_status=Status.DRAFT,
            at=now,
        )
    return c


def consultation_update(*, actor: Actor, consultation: Consultation, **values: Any) -> Consultation:
    """Amend a draft, or a request returned for more information."""
    cleaned = _clean(values)
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=consultation, action=Action.UPDATE)
        c = step.obj
        if "kind" in cleaned and cleaned["kind"] != c.kind:
            # Another kind may go to another centre (an imaging one to its reading centre).
            centre = serving_centre_for(c.requesting_institution, cleaned["kind"])
            if centre is None:
                raise _no_centre()
            if centre.pk != c.centre_id:
                c.centre = centre
                cleaned["centre"] = centre
        for name, value in cleaned.items():
            setattr(c, name, value)
        step.detail = {"fields": sorted(cleaned)}
        return MACHINE.step_finish(
            step, notify=[], title=gettext_lazy("Request amended"), update_fields=list(cleaned)
        )


def missing_parts(c: Consultation) -> dict[str, list[Message]]:
    """Everything a submission still lacks (the 2018 rules: reason, purpose, time, record
    summary, specialty and title wanted; the patient's written consent)."""
    required = _("This is required before submitting.")
    missing: dict[str, list[Message]] = {}
    for name in ("reason", "purpose", "chief_complaint", "present_illness", "diagnosis_text"):
        if not getattr(c, name):
            missing[name] = [required]
    if c.wanted_department_id is None:
        missing["wanted_department"] = [required]
    if not c.wanted_title:
        missing["wanted_title"] = [required]
    if c.mode == Mode.REALTIME and not c.preferred_times:
        missing["preferred_times"] = [_("A real-time consultation needs the preferred times.")]
    if c.preferred_target == PreferredTarget.EXPERT and c.preferred_expert_id is None:
        missing["preferred_expert"] = [_("Choose the expert you prefer, or let the centre decide.")]
    if c.preferred_target == PreferredTarget.DEPARTMENT and c.preferred_department_id is None:
        missing["preferred_department"] = [_("Choose the department you prefer.")]
    if not has_active_consent(c.patient, "telemedicine"):
        missing["consent"] = [
            _("The patient's written consent to telemedicine must be on file before submitting.")
        ]
    return missing


def _set_deadlines(c: Consultation) -> list[str]:
    accept_min, answer_min = deadlines_minutes(kind=c.kind, urgency=c.urgency)
    now = timezone.now()
    c.accept_by = now + dt.timedelta(minutes=accept_min)
    c.answer_by = now + dt.timedelta(minutes=answer_min)
    return ["accept_by", "answer_by"]


def _submit(actor: Actor, consultation: Consultation, action: Action) -> Consultation:
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=consultation, action=action)
        missing = missing_parts(step.obj)
        if missing:
            raise ValidationFailed(
                missing,
                _("The request is not complete: %(count)d parts are missing.")
                % {"count": len(missing)},
            )
        fields = _set_deadlines(step.obj)
        return MACHINE.step_finish(
            step,
            notify=qc_ids(step.obj),
            title=gettext_lazy("New consultation request"),
            update_fields=fields,
            urgent=True,
        )


def consultation_submit(*, actor: Actor, consultation: Consultation) -> Consultation:
    return _submit(actor, consultation, Action.SUBMIT)


def consultation_resubmit(*, actor: Actor, consultation: Consultation) -> Consultation:
    return _submit(actor, consultation, Action.RESUBMIT)


def consultation_qc_return(
    *, actor: Actor, consultation: Consultation, comment: str
) -> Consultation:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed.single("comment", _("Say what is missing."))
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=consultation, action=Action.QC_RETURN)
        step.reason = comment
        return MACHINE.step_finish(
            step,
            notify=requester_ids(step.obj),
            title=gettext_lazy("Consultation request returned for more information"),
        )


def consultation_cancel(*, actor: Actor, consultation: Consultation, reason: str) -> Consultation:
    """Before it starts, by the requester or the centre; bookings are freed and the experts
    lose their access to the patient."""
    from .assignments import release_assignment

    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.single("reason", _("Give the reason for cancelling."))
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=consultation, action=Action.CANCEL)
        c = step.obj
        step.reason = reason
        c.cancel_reason = reason
        told = requester_ids(c) + expert_ids(c) + coordinator_ids(c)
        for assignment in [a for a in assignments_of(c) if a.status in LIVE_ASSIGNMENT]:
            release_assignment(actor, assignment, AssignmentStatus.CANCELLED, reason)
        return MACHINE.step_finish(
            step,
            notify=told,
            title=gettext_lazy("Consultation cancelled"),
            update_fields=["cancel_reason"],
        )


def consultation_acknowledge(
    *, actor: Actor, consultation: Consultation, rating: int, comment: str = ""
) -> Consultation:
    """The requester has read the opinion and rates it: the consultation is complete."""
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationFailed.single("rating", _("Rate the opinion from 1 to 5."))
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=consultation, action=Action.ACKNOWLEDGE)
        c = step.obj
        c.rating, c.rating_comment = rating, (comment or "").strip()
        step.detail = {"rating": rating}
        return MACHINE.step_finish(
            step,
            notify=expert_ids(c) + coordinator_ids(c),
            title=gettext_lazy("Consultation completed"),
            update_fields=["rating", "rating_comment"],
        )
