"""Template helpers of the screen kit (docs/adr/0018-front-end-kit.md)."""

from __future__ import annotations

from django import template

from xietong.core.sorting import Sorting
from xietong.core.ui import status_tone as tone_of

register = template.Library()


@register.filter
def status_tone(code: object) -> str:
    """The colour class of a status: `xt-status-{{ code|status_tone }}`."""
    return tone_of(code)


@register.inclusion_tag("core/components/sort_header.html")
def sort_header(sorting: object, key: str, label: str) -> dict[str, object]:
    """A column header that sorts the list by `key` (core/sorting.py); without a sorting in
    the context, a plain header."""
    return {"sorting": sorting, "key": key, "label": label}


@register.filter
def sort_state(sorting: Sorting, key: str) -> str:
    return sorting.state(key)


@register.filter
def sort_link(sorting: Sorting, key: str) -> str:
    return sorting.link(key)
