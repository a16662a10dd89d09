"""Sections that other apps add to the patient's page (records, consultations, referrals).

Patients is a lower layer and imports none of them: each registers a provider from its
AppConfig.ready(). A provider gets the request, the actor and the patient (already fetched
and audited through get_patient_for) and returns a PatientSection, or None to show nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from xietong.core.actor import Actor

from .models import Patient


@dataclass(frozen=True)
class PatientSection:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


SectionProvider = Callable[[HttpRequest, Actor, Patient], PatientSection | None]
_providers: list[SectionProvider] = []


def patient_section_register(provider: SectionProvider) -> SectionProvider:
    """Idempotent, so a ready() that runs twice (tests) adds no second copy."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def patient_sections_render(
    request: HttpRequest, actor: Actor, patient: Patient
) -> list[SafeString]:
    sections = [s for s in (p(request, actor, patient) for p in _providers) if s is not None]
    sections.sort(key=lambda s: s.order)
    return [
        render_to_string(
            s.template, {"patient": patient, "actor": actor, **s.context}, request=request
        )
        for s in sections
    ]
