"""The "Remote consultations" section of the patient's page: the patient's requests and,
for a requesting doctor, the button to ask for one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

from xietong.core.actor import Actor
from xietong.patients.sections import PatientSection

from ..access import REQUESTER_ROLES
from ..selectors import consultations_for
from ._common import with_links

if TYPE_CHECKING:
    from xietong.patients.models import Patient


def consultations_section(
    request: HttpRequest, actor: Actor, patient: Patient
) -> PatientSection | None:
    can_request = actor.has_role(*REQUESTER_ROLES)
    listed = with_links(consultations_for(actor=actor).filter(patient=patient)[:10])
    if not can_request and not listed:
        return None
    context = {"consultations": listed, "can_request": can_request}
    return PatientSection("consultations/_patient_section.html", context, order=20)
