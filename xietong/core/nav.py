"""Navigation declared as data: each app registers its entries, the roles that see them, an
icon, and for a worklist the number of items waiting (shown beside the entry)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise

from .actor import Actor

# A worklist's counter: how many items wait for this actor (None: show no number).
NavCounter = Callable[[Actor], "int | None"]


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[str] | None = None  # None: everyone signed in
    order: int = 50
    icon: str = "circle"  # a Bootstrap Icons name, without the "bi-" prefix
    counter: NavCounter | None = None

    def visible_to(self, actor: Actor) -> bool:
        return self.roles is None or actor.has_role(*self.roles)


class NavEntry:
    """One entry as the layout shows it. The count is read only when the sidebar is drawn,
    so the fragments that htmx swaps in never pay for it."""

    def __init__(self, item: NavItem, actor: Actor, url: str, active: bool) -> None:
        self.label = item.label
        self.icon = item.icon
        self.url = url
        self.active = active
        self._item = item
        self._actor = actor

    @cached_property
    def count(self) -> int | None:
        return self._item.counter(self._actor) if self._item.counter else None

    @property
    def divided(self) -> bool:
        # Directory, account and audit entries (order ≥ 80) sit apart from the work.
        return self._item.order >= 80


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
    shown = [
        (item, reverse(item.url_name))
        for item in sorted(_items, key=lambda i: i.order)
        if item.visible_to(actor)
    ]
    # The entry whose address is the longest start of this page's is the current one: the
    # outbox (/notifications/outbox/) is not also the notifications, nor the expert library
    # (/directory/experts/) the institutions (/directory/).
    matching = [url for _i, url in shown if (path == url if url == "/" else path.startswith(url))]
    current = max(matching, key=len, default=None)
    entries = [NavEntry(item, actor, url, url == current) for item, url in shown]
    return {"nav_items": entries, "wall": request.GET.get("wall") == "1"}
