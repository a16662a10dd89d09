"""The consultation's chat thread: everyone who sees the consultation takes part."""

from __future__ import annotations

import uuid as uuid_lib

from xietong.conferencing.access import thread_access_register
from xietong.conferencing.models import Thread
from xietong.conferencing.services import thread_for_subject
from xietong.core.actor import Actor

from .access import visible_consultations_q
from .models import Consultation

SUBJECT = "consultation"


def _may_chat(actor: Actor, subject_id: str) -> bool:
    try:
        key = uuid_lib.UUID(str(subject_id))
    except ValueError:
        return False
    return Consultation.objects.filter(visible_consultations_q(actor), uuid=key).exists()


def chat_policy_register() -> None:
    thread_access_register(SUBJECT, _may_chat)


def consultation_thread(*, consultation: Consultation) -> Thread:
    """Call with a consultation fetched by get_consultation_for (access already checked)."""
    return thread_for_subject(SUBJECT, consultation.uuid, consultation.number)
