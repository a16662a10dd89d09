"""Ranks and query helpers the directory's selectors share."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from xietong.core.errors import ValidationFailed

from ..models import (
    LEVEL_RANK,
    TITLE_RANK,
)


def level_rank(prefix: str = "") -> Case:
    """The institution level as a number (provincial 5 … village 1), for ordering in SQL."""
    return Case(
        *[
            When(**{f"{prefix}level": level}, then=Value(rank))
            for level, rank in LEVEL_RANK.items()
        ],
        default=Value(0),
        output_field=IntegerField(),
    )


def title_rank(prefix: str = "") -> Case:
    return Case(
        *[
            When(**{f"{prefix}title": title}, then=Value(rank))
            for title, rank in TITLE_RANK.items()
        ],
        default=Value(0),
        output_field=IntegerField(),
    )


def _check_choice(name: str, value: str | None, choices: list[str]) -> None:
    if value is not None and value not in choices:
        raise ValidationFailed.single(name, _("Select a valid choice."))


def _split_terms(q: str | None) -> list[str]:
    return [term for term in (q or "").split() if term][:5]


def _text_q(term: str, *fields: str) -> Q:
    """`term` appears in any of `fields`. Chinese has no letter case, so a term without
    Latin letters is matched as it is: upper-casing every row first costs most of the
    search's time on PostgreSQL."""
    lookup = "icontains" if any(c.isascii() and c.isalpha() for c in term) else "contains"
    q = Q()
    for name in fields:
        q |= Q(**{f"{name}__{lookup}": term})
    return q


# ---------------------------------------------------------------- regions
