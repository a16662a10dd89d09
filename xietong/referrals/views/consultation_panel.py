"""The referrals panel of a consultation's workspace: the referrals its opinion led to, and,
for the requesting doctor once an opinion is signed, the button to refer the patient up
with the consultation linked (the two are linked both ways)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from xietong.consultations.models import Consultation, Opinion
from xietong.core.actor import Actor

from ..access import can_refer, can_view_referrals
from ..selectors import referrals_for


def referrals_panel(actor: Actor, consultation: Consultation) -> SafeString | None:
    if not can_view_referrals(actor):
        return None
    linked = list(referrals_for(actor=actor).filter(consultation_uuid=consultation.uuid)[:10])
    signed = Opinion.objects.filter(consultation=consultation, signed_at__isnull=False)
    advised = signed.filter(referral_advised=True).order_by("-version").first()
    may_refer = (
        can_refer(actor)
        and actor.institution_id == consultation.requesting_institution_id
        and signed.exists()
    )
    if not linked and not may_refer:
        return None
    return SafeString(
        render_to_string(
            "referrals/_consultation_panel.html",
            {"c": consultation, "referrals": linked, "may_refer": may_refer, "advised": advised},
        )
    )
