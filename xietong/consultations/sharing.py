"""What a consultation shares of its patient's record: its attachments and its opinion
(documents filed with the consultation as their source) and the imaging studies it asks to be
read, read by those who see the consultation, until XT_SHARED_READ_DAYS after it ended
(docs/adr/0013)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from xietong.core.actor import Actor
from xietong.patients.access import shared_read_days

from .access import visible_consultations_q
from .models import Consultation, ConsultationStudy
from .workflow import TERMINAL


def _sharing(actor: Actor) -> QuerySet[Consultation]:
    """The consultations the actor sees that still share: open, or ended within the days."""
    cutoff = timezone.now() - dt.timedelta(days=shared_read_days())
    return Consultation.objects.filter(visible_consultations_q(actor)).exclude(
        status__in=TERMINAL, updated_at__lte=cutoff
    )


def consultation_documents_shared_q(actor: Actor, patient_id: int) -> Q:
    uuids = _sharing(actor).filter(patient_id=patient_id).values_list("uuid", flat=True)
    sources = [f"consultation:{u}" for u in uuids]
    return Q(source__in=sources) if sources else Q(pk__in=[])


def consultation_studies_shared(actor: Actor) -> QuerySet[ConsultationStudy, int]:
    """The ids of the studies attached to those consultations, as a subquery: only while a
    study is still the consultation's patient's (a study linked to the wrong patient and
    then moved is no longer shared by that patient's consultation)."""
    return ConsultationStudy.objects.filter(
        consultation__in=_sharing(actor), study__patient_id=F("consultation__patient_id")
    ).values_list("study_id", flat=True)


def share_reader_register_consultations() -> None:
    from xietong.imaging.sharing import study_share_register
    from xietong.records.sharing import share_reader_register

    share_reader_register(consultation_documents_shared_q)
    study_share_register(consultation_studies_shared)
