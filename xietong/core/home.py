"""The home page is assembled from cards that each app contributes: "what must this
person do next". Core knows no app; apps register here from AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest
from django.utils.functional import Promise

from .actor import Actor


@dataclass
class HomeCard:
    title: str | Promise
    body: str | Promise = ""
    count: int | None = None
    url: str = ""
    action: str | Promise = ""
    items: list[tuple[str, str]] = field(default_factory=list)  # (label, url)
    order: int = 50


CardProvider = Callable[[HttpRequest, Actor], list[HomeCard]]
_providers: list[CardProvider] = []


def home_card_register(provider: CardProvider) -> CardProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def home_cards_for(request: HttpRequest, actor: Actor) -> list[HomeCard]:
    cards: list[HomeCard] = []
    for provider in _providers:
        cards.extend(provider(request, actor))
    return sorted(cards, key=lambda c: c.order)
