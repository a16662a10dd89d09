"""Home cards per role: what waits for this person, with the overdue flagged."""

from __future__ import annotations

import datetime as dt
import functools

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xietong.core.actor import Actor
from xietong.core.home import HomeCard
from xietong.core.times import local_time

from ..access import EXPERT_ROLES, REQUESTER_ROLES
from ..models import AssignmentStatus, Mode, Status
from ..selectors import consultations_for, overdue_q, queue_waiting_count, requester_tally


def _overdue_note(count: int) -> str:
    return _("%(count)d overdue.") % {"count": count} if count else _("Nothing overdue.")


def consultation_cards(request: HttpRequest, actor: Actor) -> list[HomeCard]:
    now = timezone.now()
    cards: list[HomeCard] = []
    if actor.has_role(*REQUESTER_ROLES):
        # What waits for the doctor: requests returned for more information, and signed
        # opinions to read and acknowledge.
        tally = requester_tally(actor=actor, now=now)
        cards.append(
            HomeCard(
                title=_("My consultation requests"),
                body=functools.reduce(
                    _sentences_joined,
                    [
                        _("%(count)d returned for more information.") % {"count": tally.returned},
                        ngettext(
                            "%(count)d opinion to read and acknowledge.",
                            "%(count)d opinions to read and acknowledge.",
                            tally.to_acknowledge,
                        )
                        % {"count": tally.to_acknowledge},
                        _overdue_note(tally.overdue),
                    ],
                ),
                count=tally.waiting,
                url=reverse("consultations:mine"),
                action=_("My requests"),
                order=30,
            )
        )
    if actor.has_role("qc"):
        waiting = consultations_for(actor=actor, scope="qc", now=now)
        cards.append(
            HomeCard(
                title=_("Requests awaiting quality check"),
                body=_overdue_note(waiting.filter(overdue_q(now)).count()),
                count=waiting.count(),
                url=reverse("consultations:inbox") + "?tab=qc",
                action=_("Open the inbox"),
                order=30,
            )
        )
    if actor.has_role("coordinator"):
        centre = consultations_for(actor=actor, scope="triage", now=now)
        to_book = (
            consultations_for(actor=actor, now=now)
            .filter(centre_id=actor.institution_id, status=Status.ACCEPTED, mode=Mode.REALTIME)
            .count()
        )
        cards.append(
            HomeCard(
                title=_("Consultations to triage"),
                body=_("%(book)d real-time consultations to book. %(overdue)s")
                % {
                    "book": to_book,
                    "overdue": _overdue_note(centre.filter(overdue_q(now)).count()),
                },
                count=centre.filter(status=Status.TRIAGE).count(),
                url=reverse("consultations:inbox") + "?tab=triage",
                action=_("Open the inbox"),
                order=31,
            )
        )
    if actor.has_role(*EXPERT_ROLES):
        cards.append(_expert_card(actor, now))
    return cards


def _sentences_joined(first: str, then: str) -> str:
    """Two sentences side by side, as the language joins them (Chinese: no space)."""
    return _("%(first)s %(then)s") % {"first": first, "then": then}


def _expert_card(actor: Actor, now: dt.datetime) -> HomeCard:
    """The expert's work: requests to accept or decline, opinions still to write (the
    navigation's number is the sum), and the next booked session."""
    queue = consultations_for(actor=actor, scope="queue", now=now)
    to_answer = queue.filter(
        status=Status.ASSIGNED,
        assignments__expert__practitioner__user__id=actor.user_id,
        assignments__status=AssignmentStatus.PROPOSED,
    ).count()
    waiting = queue_waiting_count(actor)
    booked = (
        queue.filter(status=Status.SCHEDULED, scheduled_start__gte=now)
        .order_by("scheduled_start")
        .values_list("scheduled_start", flat=True)
        .first()
    )
    parts = [
        ngettext(
            "%(count)d request to accept or decline.",
            "%(count)d requests to accept or decline.",
            to_answer,
        )
        % {"count": to_answer},
        ngettext("%(count)d opinion to write.", "%(count)d opinions to write.",
                 waiting - to_answer) % {"count": waiting - to_answer},
    ]  # fmt: skip
    if booked is not None:
        parts.append(_("Next booked session: %(when)s.") % {"when": local_time(booked)})
    parts.append(_overdue_note(queue.filter(overdue_q(now)).count()))
    return HomeCard(
        title=_("My consultation work"),
        body=functools.reduce(_sentences_joined, parts),
        count=waiting,
        url=reverse("consultations:queue"),
        action=_("My queue"),
        order=30,
    )
