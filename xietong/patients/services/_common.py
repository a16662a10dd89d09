"""What every patient write checks first."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.errors import NotFound, NotPermitted

from ..access import can_register_patients, patient_visible_to
from ..models import Patient


def _authorize_on(actor: Actor, patient: Patient) -> None:
    if not patient_visible_to(actor, patient):
        raise NotFound()
    if not can_register_patients(actor):
        raise NotPermitted(_("Your role does not allow changing patient records."))


def _institution_id(actor: Actor) -> int:
    if actor.institution_id is None:
        raise NotPermitted(_("Act through a membership of an institution."))
    return actor.institution_id
