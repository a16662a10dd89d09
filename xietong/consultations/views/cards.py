"""Home cards per role: what waits for this person, with the overdue flagged."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xietong.core.actor import Actor
from xietong.core.home import HomeCard

from ..access import EXPERT_ROLES, REQUESTER_ROLES
from ..models import AssignmentStatus, Mode, Status
from ..selectors import consultations_for, overdue_q, requester_tally


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
                # Sentences side by side, as the language joins them.
                body=_("%(returned)s %(signed)s %(overdue)s")
                % {
                    "returned": _("%(count)d returned for more information.")
                    % {"count": tally.returned},
                    "signed": ngettext(
                        "%(count)d opinion to read and acknowledge.",
                        "%(count)d opinions to read and acknowledge.",
                        tally.to_acknowledge,
                    )
                    % {"count": tally.to_acknowledge},
                    "overdue": _overdue_note(tally.overdue),
                },
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
        queue = consultations_for(actor=actor, scope="queue", now=now)
        to_answer = queue.filter(
            status=Status.ASSIGNED,
            assignments__expert__practitioner__user__id=actor.user_id,
            assignments__status=AssignmentStatus.PROPOSED,
        ).count()
        cards.append(
            HomeCard(
                title=_("Consultations awaiting your answer"),
                body=_overdue_note(queue.filter(overdue_q(now)).count()),
                count=to_answer,
                url=reverse("consultations:queue"),
                action=_("My queue"),
                order=30,
            )
        )
    return cards
