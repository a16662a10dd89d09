"""The imaging studies a request asks the experts to read: chosen from the patient's archive
while the request is a draft or returned, as an amendment of the request (its step, its
audit record and its line on the timeline)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.core.actor import Actor
from xietong.core.errors import ValidationFailed
from xietong.core.keys import uuid_or_none
from xietong.imaging.selectors import studies_visible_to

from ..models import Consultation, ConsultationStudy
from ..workflow import Action
from ._core import MACHINE


def consultation_studies_set(
    *, actor: Actor, consultation: Consultation, studies: Iterable[uuid.UUID | str]
) -> list[uuid.UUID]:
    """Makes the request's studies exactly `studies` (study uuids of the patient that the
    requester sees). Answers the uuids now attached. A study that is not the patient's, or
    that the requester does not see, is refused and nothing changes."""
    wanted = {uuid_or_none(s) for s in studies}
    if None in wanted:
        raise ValidationFailed.single("studies", _("Choose studies from the patient's list."))
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=consultation, action=Action.UPDATE)
        c = step.obj
        found = dict(
            studies_visible_to(actor)
            .filter(patient_id=c.patient_id, uuid__in=wanted)
            .values_list("uuid", "pk")
        )
        if len(found) != len(wanted):
            raise ValidationFailed.single(
                "studies", _("Only studies of this patient that you may see can be attached.")
            )
        have = dict(
            ConsultationStudy.objects.filter(consultation=c).values_list("study__uuid", "pk")
        )
        gone = [pk for key, pk in have.items() if key not in found]
        added = [pk for key, pk in found.items() if key not in have]
        if not gone and not added:
            return sorted(found)
        ConsultationStudy.objects.filter(pk__in=gone).delete()
        ConsultationStudy.objects.bulk_create(
            ConsultationStudy(consultation=c, study_id=pk, attached_by_id=actor.user_id)
            for pk in added
        )
        step.detail = {"studies": sorted(str(k) for k in found)}
        MACHINE.step_finish(step, notify=[], title=gettext_lazy("Imaging studies chosen"))
    return sorted(found)
