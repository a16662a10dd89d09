"""Home cards: incoming referrals to answer, today's arrivals, green-channel referrals,
my outgoing referrals, and the follow-up dates of plans handed down to us (the task list)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from xietong.core.actor import Actor
from xietong.core.home import HomeCard
from xietong.core.listing import rows_shown

from ..access import can_refer, can_view_referrals
from ..models import Status
from ..selectors import (
    arrivals_for,
    criteria_unmet_counts,
    follow_ups_due_for,
    referrals_for,
)


def _supervisor_card(actor: Actor) -> list[HomeCard]:
    """Counts only: referrals sent outside the criteria, per institution of the region."""
    rows = criteria_unmet_counts(actor=actor)
    return [
        HomeCard(
            title=_("Referrals outside the referral criteria"),
            body="、".join(f"{r['institution']} {r['count']}" for r in rows[:5])
            or _("None so far."),
            count=sum(int(str(r["count"])) for r in rows),
            order=60,
        )
    ]


def referral_cards(request: HttpRequest, actor: Actor) -> list[HomeCard]:
    if actor.has_role("supervisor"):
        return _supervisor_card(actor)
    if not can_view_referrals(actor):
        return []
    cards: list[HomeCard] = []
    if actor.has_role("referral_desk", "coordinator"):
        waiting = referrals_for(actor=actor, scope="incoming", status=Status.REQUESTED)
        green = waiting.filter(urgency="emergency").count()
        cards.append(
            HomeCard(
                title=_("Referrals awaiting your answer"),
                body=_("%(green)d by the green channel.") % {"green": green},
                count=waiting.count(),
                url=reverse("referrals:incoming") + "?status=requested",
                action=_("Incoming referrals"),
                order=33,
            )
        )
        cards.append(
            HomeCard(
                title=_("Referral arrivals today"),
                count=arrivals_for(actor=actor).filter(status=Status.ACCEPTED).count(),
                url=reverse("referrals:arrivals"),
                action=_("Check patients in"),
                order=34,
            )
        )
    if can_refer(actor):
        mine = referrals_for(actor=actor, scope="outgoing", open_only=True)
        cards.append(
            HomeCard(
                title=_("My open referrals"),
                body=_("%(n)d with another time proposed.")
                % {"n": mine.filter(status=Status.PROPOSED).count()},
                count=mine.count(),
                url=reverse("referrals:outgoing"),
                action=_("Outgoing referrals"),
                order=35,
            )
        )
    due = list(follow_ups_due_for(actor=actor)[:5])
    rows_shown(
        actor=actor, rows=[f.referral for f in due], resource_type="ServiceRequest",
        criteria={"list": "referrals.follow_ups"},
    )  # fmt: skip
    handed_down = referrals_for(actor=actor, scope="down", status=Status.DOWN_REQUESTED).count()
    if due or handed_down:
        cards.append(
            HomeCard(
                title=_("Patients referred back to us"),
                # The number is what waits, as the text says: the handed-down patients to
                # accept and the follow-ups due (the five soonest listed below).
                body=_("%(n)d down-referrals to accept. %(m)d follow-ups due.")
                % {"n": handed_down, "m": len(due)},
                count=handed_down + len(due),
                url=reverse("referrals:down"),
                action=_("Follow-ups"),
                items=[
                    (
                        f"{f.due_date:%m-%d} {f.referral.patient.name}",
                        reverse("referrals:detail", args=[f.referral.uuid]),
                    )
                    for f in due
                ],
                order=36,
            )
        )
    return cards
