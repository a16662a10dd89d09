"""Showing patient identifiers in lists without exposing them whole."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from xietong.patients.residentid import resident_id_mask

register = template.Library()


@register.filter
def mask_resident_id(value: str | None) -> str:
    return resident_id_mask(value)


@register.filter
def mask_phone(value: str | None) -> str:
    """138****5678: the ends tell the caller they have the right patient."""
    if not value:
        return ""
    digits = value.replace("-", "")
    if len(digits) < 8:
        return value
    return digits[:3] + "****" + digits[-4:]


@register.filter
def age(born: dt.date | None) -> int | str:
    if born is None:
        return ""
    today = timezone.localdate()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
