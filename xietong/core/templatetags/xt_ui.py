"""Template helpers of the screen kit (docs/adr/0018-front-end-kit.md)."""

from __future__ import annotations

from django import template

from xietong.core.ui import status_tone as tone_of

register = template.Library()


@register.filter
def status_tone(code: object) -> str:
    """The colour class of a status: `xt-status-{{ code|status_tone }}`."""
    return tone_of(code)
