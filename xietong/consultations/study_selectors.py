"""Reads of the imaging studies a consultation asks to be read."""

from __future__ import annotations

import uuid

from xietong.core.actor import Actor
from xietong.imaging.models import Study
from xietong.imaging.selectors import studies_visible_to

from .models import Consultation, ConsultationStudy


def studies_chosen(*, consultation: Consultation) -> list[uuid.UUID]:
    """The uuids of the studies attached to a consultation already fetched for its reader."""
    return list(
        ConsultationStudy.objects.filter(consultation=consultation).values_list(
            "study__uuid", flat=True
        )
    )


def consultation_studies_for(*, actor: Actor, consultation: Consultation) -> list[Study]:
    """The consultation's studies that the actor sees (its parties see them through the
    consultation, imaging/sharing.py), oldest attached first, with their sender."""
    return list(
        studies_visible_to(actor)
        .filter(pk__in=ConsultationStudy.objects.filter(consultation=consultation).values("study"))
        .select_related("institution")
        .order_by("-study_date", "-study_time", "-id")
    )
