"""The patients app's home cards: register a resident, reopen a recent patient."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.home import HomeCard

from .access import can_register_patients, can_view_patients
from .residentid import resident_id_mask
from .selectors import break_glass_counts, patients_recent_for


def _supervisor_card(actor: Actor) -> list[HomeCard]:
    rows = break_glass_counts(actor=actor)
    return [
        HomeCard(
            title=_("Emergency access to records (30 days)"),
            body="、".join(f"{r['institution']} {r['count']}" for r in rows[:5])
            or _("None so far."),
            count=sum(int(str(r["count"])) for r in rows),
            order=61,
        )
    ]


def patient_cards(request: HttpRequest, actor: Actor) -> list[HomeCard]:
    if actor.has_role("supervisor"):
        return _supervisor_card(actor)
    cards: list[HomeCard] = []
    # A home shows the person's own work first (each app's worklist cards, ordered 30 to
    # 39). Registering is where a requesting doctor's work starts, so it is offered to them
    # after their worklists; an expert or a desk registers from the patients page when a
    # patient arrives, and is not asked to on every visit home.
    if actor.has_role("requester") and can_register_patients(actor):
        cards.append(
            HomeCard(
                title=_("Register a patient"),
                body=_("Find a resident by ID, name or phone, or register them."),
                url=reverse("patients:register"),
                action=_("Register"),
                order=40,
            )
        )
    if can_view_patients(actor):
        recent = patients_recent_for(actor=actor, limit=5)
        cards.append(
            HomeCard(
                title=_("Recent patients"),
                body="" if recent else _("No patients yet."),
                items=[
                    (
                        f"{p.name} {resident_id_mask(p.resident_id)}".strip(),
                        reverse("patients:detail", args=[p.uuid]),
                    )
                    for p in recent
                ],
                url=reverse("patients:search"),
                action=_("Find a patient"),
                order=60,
            )
        )
    return cards
