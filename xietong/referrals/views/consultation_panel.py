"""The referrals panel of a consultation's workspace: the referrals its opinion led to, and,
for the requesting doctor once an opinion is signed, the button to refer the patient up
with the consultation linked (selectors.consultation_referrals_for decides)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from xietong.core.actor import Actor

from ..selectors import consultation_referrals_for

if TYPE_CHECKING:
    from xietong.consultations.models import Consultation


def referrals_panel(actor: Actor, consultation: Consultation) -> SafeString | None:
    panel = consultation_referrals_for(actor=actor, consultation=consultation)
    if panel is None or (not panel.linked and not panel.may_refer):
        return None
    return SafeString(
        render_to_string(
            "referrals/_consultation_panel.html",
            {
                "c": consultation,
                "referrals": panel.linked,
                "may_refer": panel.may_refer,
                "advised": panel.advised,
            },
        )
    )
