"""The "Two-way referrals" section of the patient's page: the patient's referrals the viewer
sees and, for a doctor, the button to refer them up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

from xietong.core.actor import Actor
from xietong.patients.sections import PatientSection

from ..access import can_refer, can_view_referrals
from ..selectors import referrals_for

if TYPE_CHECKING:
    from xietong.patients.models import Patient


def referrals_section(
    request: HttpRequest, actor: Actor, patient: Patient
) -> PatientSection | None:
    if not can_view_referrals(actor):
        return None
    listed = list(referrals_for(actor=actor).filter(patient=patient)[:10])
    context = {"referrals": listed, "can_refer": can_refer(actor)}
    return PatientSection("referrals/_patient_section.html", context, order=25)
