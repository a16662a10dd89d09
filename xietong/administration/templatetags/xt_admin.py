"""{{ roles|role_labels }}: a list of role values in the reader's words."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from xietong.accounts.selectors import role_choices

register = template.Library()


@register.filter
def role_labels(roles: Iterable[str] | None) -> list[str]:
    labels = dict(role_choices())
    return [labels.get(r, r) for r in roles or ()]
