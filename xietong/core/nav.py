"""Navigation declared as data: each app registers its entries and the roles that see them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise

from .actor import Actor


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[str] | None = None  # None: everyone signed in
    order: int = 50

    def visible_to(self, actor: Actor) -> bool:
        return self.roles is None or actor.has_role(*self.roles)


_items: list[NavItem] = []


def nav_register(*items: NavItem) -> None:
    for item in items:
        if item not in _items:
            _items.append(item)


def nav_context(request: HttpRequest) -> dict[str, Any]:
    actor: Actor | None = getattr(request, "actor", None)
    if actor is None:
        return {"nav_items": []}
    path = request.path
    entries = []
    for item in sorted(_items, key=lambda i: i.order):
        if item.visible_to(actor):
            url = reverse(item.url_name)
            active = path == url if url == "/" else path.startswith(url)
            entries.append({"label": item.label, "url": url, "active": active})
    return {"nav_items": entries}
