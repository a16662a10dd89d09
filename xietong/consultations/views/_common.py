"""What the request-side pages share: the link to the consultation's workspace and the
role a page needs (the signed-in actor and refusals are core/pages.py's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http.response import HttpResponseBase
from django.urls import NoReverseMatch, reverse

from xietong.core.actor import Actor

from ..models import Consultation

View = Callable[..., HttpResponseBase]


def detail_url(consultation: Consultation) -> str:
    """The workspace page, once it exists; until then lists link nowhere."""
    try:
        return reverse("consultations:detail", args=[consultation.uuid])
    except NoReverseMatch:
        return ""


def with_links(rows: Any) -> list[Consultation]:
    listed = list(rows)
    for c in listed:
        c.link = detail_url(c)
    return listed


def require_role(actor: Actor, *roles: str) -> None:
    if not actor.has_role(*roles):
        raise PermissionDenied
