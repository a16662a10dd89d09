"""Reads of teaching files, scoped to who sees them (access.py)."""

from __future__ import annotations

from django.db.models import QuerySet

from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.core.keys import uuid_or_none
from xietong.core.reads import SHOW, Intent, read_recorded, read_refused

from .access import teaching_files_visible_q
from .models import TeachingFile


def teaching_files_for(*, actor: Actor) -> QuerySet[TeachingFile]:
    """Newest first, with who made them."""
    return (
        TeachingFile.objects.filter(teaching_files_visible_q(actor))
        .select_related("made_by", "institution")
        .order_by("-created_at", "-id")
    )


def get_teaching_file_for(
    *, actor: Actor, file_uuid: object, intent: Intent = SHOW
) -> TeachingFile:
    key = uuid_or_none(file_uuid)
    found = (
        TeachingFile.objects.filter(teaching_files_visible_q(actor), uuid=key).first()
        if key
        else None
    )
    if found is None:
        read_refused(actor=actor, resource_type="TeachingFile", resource_id=str(file_uuid),
                     patient_id=None)  # fmt: skip
        raise NotFound()
    read_recorded(
        actor=actor, intent=intent, resource_type="TeachingFile", resource_id=found.uuid,
        patient_id=None, detail={"number": found.number},
    )  # fmt: skip
    return found
