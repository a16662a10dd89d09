"""Panels that higher apps add to the consultation workspace (referrals: the referrals this
consultation led to, and the button to refer the patient on).

Consultations sits below referrals and imports nothing of it: a provider registered from
the higher app's AppConfig.ready() gets the actor and the consultation (already fetched for
that actor) and returns the HTML to show, or None."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.safestring import SafeString

from xietong.core.actor import Actor

from .models import Consultation

PanelProvider = Callable[[Actor, Consultation], SafeString | None]
_providers: list[PanelProvider] = []


def workspace_panel_register(provider: PanelProvider) -> PanelProvider:
    """Idempotent, so a ready() that runs twice (tests) adds no second copy."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def workspace_panels_render(*, actor: Actor, consultation: Consultation) -> list[SafeString]:
    shown = (provider(actor, consultation) for provider in _providers)
    return [html for html in shown if html]
