"""The navigation marks one entry current: the one whose address is the longest start of the
page's (the expert library, not also the institutions that share its /directory/ prefix)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from xietong.core.actor import Actor
from xietong.core.nav import nav_context

pytestmark = pytest.mark.django_db


def _current(path: str, *roles: str) -> list[str]:
    request = RequestFactory().get(path)
    request.actor = Actor(user_id=1, username="u", institution_id=1, roles=frozenset(roles))  # type: ignore[attr-defined]
    return [entry.url for entry in nav_context(request)["nav_items"] if entry.active]


def test_one_entry_is_current_the_most_specific() -> None:
    assert _current("/directory/experts/") == ["/directory/experts/"]
    assert _current("/directory/") == ["/directory/"]
    assert _current("/") == ["/"]


def test_a_page_without_an_entry_marks_none() -> None:
    assert _current("/nowhere/") == []
