"""The requester's side and the claim: ask for a study to be read, cancel before it is
claimed; a reader claims a study from the worklist (one reader per study: the engine locks
the row, and a second reader meets the first one's claim) and may release it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Conflict, Message, NotFound, NotPermitted, ValidationFailed
from xietong.core.events import event_emit
from xietong.directory.selectors import institution_by_id, serving_provider_for

from ..models import Series, Study
from .access import can_request
from .machine import MACHINE, created_tell, number_next, reader_ids, step_fits
from .models import ReadingEvent, ReadingRequest, Status, Urgency
from .workflow import Action

OPEN = (Status.REQUESTED, Status.READING, Status.PRELIMINARY)
QUESTION_MAX = 2000


def _first_body_part(study: Study) -> str:
    part = (
        Series.objects.filter(study_id=study.pk)
        .exclude(body_part="")
        .order_by("series_number", "id")
        .values_list("body_part", flat=True)
        .first()
    )
    return (part or "").upper()


def _clean(urgency: str, clinical_question: str) -> tuple[str, str]:
    errors: dict[str, list[Message]] = {}
    if urgency not in Urgency.values:
        errors["urgency"] = [_("Choose one of the listed values.")]
    question = (clinical_question or "").strip()
    if not question:
        errors["clinical_question"] = [_("Say what the reader should answer.")]
    elif len(question) > QUESTION_MAX:
        errors["clinical_question"] = [
            _("Keep it within %(max)d characters.") % {"max": QUESTION_MAX}
        ]
    if errors:
        raise ValidationFailed(errors)
    return urgency, question


def reading_create(
    *, actor: Actor, study: Study, urgency: str, clinical_question: str
) -> ReadingRequest:
    """A study of the institution's patient (one it sent) goes to the reading centre that
    serves the institution for imaging (the directory's collaboration links)."""
    if not can_request(actor):
        raise NotPermitted(_("Your role may not ask for a study to be read."))
    if study.institution_id != actor.institution_id or study.patient_id is None:
        # Another institution's study (or one not yet linked to a patient) is not theirs
        # to send for reading: as if it did not exist.
        raise NotFound()
    urgency, question = _clean(urgency, clinical_question)
    institution = institution_by_id(institution_id=actor.institution_id or 0)
    centre = (
        serving_provider_for(institution=institution, services=("imaging",))
        if institution is not None
        else None
    )
    if institution is None or centre is None:
        raise ValidationFailed.single(
            "__all__", _("No reading centre serves your institution for imaging.")
        )
    now = timezone.now()
    with transaction.atomic():
        # One open request per study: the study's row is locked while we look.
        Study.objects.select_for_update().filter(pk=study.pk).exists()
        open_one = ReadingRequest.objects.filter(study_id=study.pk, status__in=OPEN).first()
        if open_one is not None:
            raise Conflict(
                _("This study is already with the reading centre: %(number)s.")
                % {"number": open_one.number},
                code="already_requested",
            )
        r = ReadingRequest.objects.create(
            number=number_next(day=timezone.localdate(now)),
            study=study,
            patient_id=study.patient_id,
            requesting_institution=institution,
            requesting_user_id=actor.user_id,
            centre=centre,
            urgency=urgency,
            clinical_question=question,
            modalities=study.modalities,
            body_part=_first_body_part(study),
            status=Status.REQUESTED,
            status_changed_at=now,
        )
        audit_record(
            actor=actor,
            action="imaging_reading.create",
            resource_type="ImagingReading",
            resource_id=r.uuid,
            patient_id=r.patient_id,
            detail={"number": r.number, "study_instance_uid": study.study_instance_uid,
                    "centre": str(centre.uuid), "urgency": urgency},
        )  # fmt: skip
        told = reader_ids(r)
        ReadingEvent.objects.create(
            reading=r, actor_user_id=actor.user_id, actor_name=actor.shown_name,
            action="create", to_status=Status.REQUESTED, notified=told, at=now,
        )  # fmt: skip
        # The centre's readers hear of it as they hear of every step.
        created_tell(actor=actor, reading=r, recipients=told)
        # The centre's open worklists fetch their rows again (consumers.py), after commit.
        event_emit("imaging_reading.create", imaging_reading=str(r.uuid), status=r.status,
                   centre_id=r.centre_id)  # fmt: skip
    return r


def reading_claim(*, actor: Actor, reading: ReadingRequest) -> ReadingRequest:
    """The reader takes the study: nobody else reads it until they release it. Two readers
    at once: the row lock orders them, and the second is told it was claimed a moment ago."""
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=reading, action=Action.CLAIM)
        step.obj.reader_id = actor.user_id
        return MACHINE.step_finish(
            step, notify=[], title=gettext_lazy("Study claimed"), update_fields=["reader"]
        )


def reading_release(*, actor: Actor, reading: ReadingRequest, reason: str = "") -> ReadingRequest:
    """Back to the worklist for another reader; the draft stays with the request."""
    with transaction.atomic():
        step = step_fits(MACHINE.step_begin(actor=actor, obj=reading, action=Action.RELEASE))
        step.reason = (reason or "").strip()
        step.obj.reader_id = None
        return MACHINE.step_finish(
            step, notify=[], title=gettext_lazy("Study released"), update_fields=["reader"]
        )


def reading_cancel(*, actor: Actor, reading: ReadingRequest, reason: str) -> ReadingRequest:
    """The requester withdraws the request before a reader claims it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.single("reason", _("Give the reason for cancelling."))
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=reading, action=Action.CANCEL)
        step.reason = reason
        step.obj.cancel_reason = reason
        return MACHINE.step_finish(
            step, notify=[], title=gettext_lazy("Reading request cancelled"),
            update_fields=["cancel_reason"],
        )  # fmt: skip
