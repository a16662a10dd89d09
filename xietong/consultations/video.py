"""The consultation's video room: everyone who sees a real-time consultation takes part
while it is scheduled or in progress; the chat beside the video is the consultation's."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_lib

from xietong.chat.models import Thread
from xietong.core.actor import Actor
from xietong.patients.models import Patient
from xietong.video.access import room_access_register

from .access import visible_consultations_q
from .chat import SUBJECT, consultation_thread
from .models import Consultation, Mode, Status

VIDEO_STATUSES = (Status.SCHEDULED, Status.IN_PROGRESS)


def _key(subject_id: str) -> uuid_lib.UUID | None:
    try:
        return uuid_lib.UUID(str(subject_id))
    except ValueError:
        return None


def _admitted(actor: Actor, subject_id: str) -> Consultation | None:
    key = _key(subject_id)
    if key is None:
        return None
    return Consultation.objects.filter(
        visible_consultations_q(actor), uuid=key, mode=Mode.REALTIME, status__in=VIDEO_STATUSES
    ).first()


def _may_join(actor: Actor, subject_id: str) -> bool:
    return _admitted(actor, subject_id) is not None


def _title(subject_id: str) -> str:
    key = _key(subject_id)
    if key is None:
        return ""
    number = Consultation.objects.filter(uuid=key).values_list("number", flat=True).first()
    return str(number or "")


def _opens_at(subject_id: str) -> dt.datetime | None:
    key = _key(subject_id)
    if key is None:
        return None
    return Consultation.objects.filter(uuid=key).values_list("scheduled_start", flat=True).first()


def _chat(actor: Actor, subject_id: str) -> Thread | None:
    consultation = _admitted(actor, subject_id)
    return consultation_thread(consultation=consultation) if consultation else None


def _patient(subject_id: str) -> Patient | None:
    key = _key(subject_id)
    if key is None:
        return None
    consultation = Consultation.objects.filter(uuid=key).select_related("patient").first()
    return consultation.patient if consultation else None


def video_policy_register() -> None:
    room_access_register(
        SUBJECT, _may_join, title=_title, opens_at=_opens_at, chat=_chat, patient=_patient
    )
