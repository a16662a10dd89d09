"""Who sees a referral, and as which party.

The sending institution, the receiving institution and the institution the patient is referred
back down to see it (their clinical and desk staff); everyone else meets NotFound, as if it did
not exist."""

from __future__ import annotations

from django.db.models import Q

from xietong.core.actor import Actor

from .models import Referral
from .workflow import DESK_ROLES, DOCTOR_ROLES, Party

VIEW_ROLES = DOCTOR_ROLES | DESK_ROLES
# Who may start an up-referral: a doctor of the sending institution.
REFER_ROLES = frozenset({"requester"})


def can_view_referrals(actor: Actor) -> bool:
    return actor.institution_id is not None and actor.has_role(*VIEW_ROLES)


def can_refer(actor: Actor) -> bool:
    return actor.institution_id is not None and actor.has_role(*REFER_ROLES)


def visible_referrals_q(actor: Actor) -> Q:
    if not can_view_referrals(actor):
        return Q(pk__in=[])
    institution = actor.institution_id
    return (
        Q(sending_institution_id=institution)
        | Q(receiving_institution_id=institution)
        | Q(down_institution_id=institution)
    )


def parties_of(actor: Actor, referral: Referral) -> set[Party]:
    parties: set[Party] = set()
    institution = actor.institution_id
    if institution is None:
        return parties
    if institution == referral.sending_institution_id and actor.has_role("requester"):
        parties.add(Party.SENDER)
    if institution == referral.receiving_institution_id:
        if actor.has_role(*DESK_ROLES):
            parties.add(Party.DESK)
        if actor.has_role(*DOCTOR_ROLES):
            parties.add(Party.RECEIVER)
    if institution == referral.down_institution_id and actor.has_role(
        *DOCTOR_ROLES, "referral_desk"
    ):
        parties.add(Party.DOWN)
    return parties
