"""What a consultation shares of its patient's record: its attachments and its opinion
(documents filed with the consultation as their source), read by those who see the
consultation, until XT_SHARED_READ_DAYS after it ended (docs/adr/0013)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from xietong.core.actor import Actor
from xietong.patients.access import shared_read_days

from .access import visible_consultations_q
from .models import Consultation
from .workflow import TERMINAL


def consultation_documents_shared_q(actor: Actor, patient_id: int) -> Q:
    cutoff = timezone.now() - dt.timedelta(days=shared_read_days())
    uuids = (
        Consultation.objects.filter(visible_consultations_q(actor), patient_id=patient_id)
        .exclude(status__in=TERMINAL, updated_at__lte=cutoff)
        .values_list("uuid", flat=True)
    )
    sources = [f"consultation:{u}" for u in uuids]
    return Q(source__in=sources) if sources else Q(pk__in=[])


def share_reader_register_consultations() -> None:
    from xietong.records.sharing import share_reader_register

    share_reader_register(consultation_documents_shared_q)
