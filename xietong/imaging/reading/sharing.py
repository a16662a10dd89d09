"""The study a reading request asks to be read is shared with the reading centre's readers
(they may not otherwise see the patient's archive), from the request until it is cancelled;
a read report keeps its study readable to them (sharing.py of the archive)."""

from __future__ import annotations

from django.db.models import F, QuerySet

from xietong.core.actor import Actor

from .access import can_read
from .models import ReadingRequest, Status


def reading_studies_shared(actor: Actor) -> QuerySet[ReadingRequest, int]:
    """The ids of the studies the actor's centre was asked to read, as a subquery: only
    while the study is still the request's patient's (a study unlinked from the wrong
    patient is no longer shared by that patient's request)."""
    if not can_read(actor):
        return ReadingRequest.objects.none().values_list("study_id", flat=True)
    return (
        ReadingRequest.objects.filter(
            centre_id=actor.institution_id, study__patient_id=F("patient_id")
        )
        .exclude(status=Status.CANCELLED)
        .values_list("study_id", flat=True)
    )
