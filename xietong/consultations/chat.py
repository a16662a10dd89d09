"""The consultation's chat thread: everyone who sees the consultation takes part."""

from __future__ import annotations

import uuid as uuid_lib
from typing import Any

from xietong.chat.access import thread_access_register
from xietong.chat.live import chat_access_changed_for_subject
from xietong.chat.models import Thread
from xietong.chat.services import thread_for_subject
from xietong.core.actor import Actor
from xietong.core.events import event_subscribe

from .access import visible_consultations_q
from .models import Consultation
from .workflow import Action

SUBJECT = "consultation"


def _key(subject_id: str) -> uuid_lib.UUID | None:
    try:
        return uuid_lib.UUID(str(subject_id))
    except ValueError:
        return None


def _may_chat(actor: Actor, subject_id: str) -> bool:
    key = _key(subject_id)
    if key is None:
        return False
    return Consultation.objects.filter(visible_consultations_q(actor), uuid=key).exists()


def _patient_id(subject_id: str) -> int | None:
    key = _key(subject_id)
    if key is None:
        return None
    found = Consultation.objects.filter(uuid=key).values_list("patient_id", flat=True).first()
    return int(found) if found is not None else None


def _transition(name: str, payload: dict[str, Any]) -> None:
    # A transition may change who sees the consultation (an expert declines or is
    # replaced, it is cancelled): the thread's open sockets check again.
    if payload.get("consultation"):
        chat_access_changed_for_subject(subject_type=SUBJECT, subject_id=payload["consultation"])


def chat_policy_register() -> None:
    # The thread is about the consultation's patient: its reads are audited against them.
    thread_access_register(SUBJECT, _may_chat, patient=_patient_id)
    for action in Action:
        event_subscribe(f"consultation.{action}")(_transition)


def consultation_thread(*, consultation: Consultation) -> Thread:
    """Call with a consultation fetched by get_consultation_for (access already checked)."""
    return thread_for_subject(SUBJECT, consultation.uuid, consultation.number)
