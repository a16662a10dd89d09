"""Referrals for the API contract test (tests/api/operations.py): for each path, one in the
state where the contract world's member, as the party the table names, can act on it and
be answered 2xx. The member's own institution plays that party."""

from __future__ import annotations

from typing import Any, cast

from xietong.accounts.actors import actor_for_membership
from xietong.accounts.models import Membership
from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory
from xietong.referrals.models import Referral

from .world import World, make_world

# path suffix -> (state, party, role of the caller)
NEEDS: dict[str, tuple[str, str, str]] = {
    "": ("requested", "sender", "requester"),
    "/timeline": ("requested", "sender", "requester"),
    "/slip": ("accepted", "sender", "requester"),
    "/cancel": ("requested", "sender", "requester"),
    "/proposal-accept": ("proposed", "sender", "requester"),
    "/proposal-decline": ("proposed", "sender", "requester"),
    "/accept": ("requested", "desk", "referral_desk"),
    "/acknowledge": ("green", "desk", "referral_desk"),
    "/decline": ("requested", "desk", "referral_desk"),
    "/propose": ("requested", "desk", "referral_desk"),
    "/check-in": ("accepted", "desk", "referral_desk"),
    "/no-show": ("due", "desk", "referral_desk"),
    "/report": ("arrived_exam", "desk", "referral_desk"),
    "/treatment-summary": ("arrived", "receiver", "expert"),
    "/down-refer": ("treated", "receiver", "expert"),
    "/down-accept": ("down_requested", "down", "requester"),
    "/down-decline": ("down_requested", "down", "requester"),
    "/follow-up": ("follow_up", "down", "requester"),
    "/close": ("follow_up", "down", "requester"),
}


def contract_world(membership: Membership, party: str) -> World:
    me = actor_for_membership(membership)
    mine = membership.institution
    if party == "sender":
        return make_world(county=mine, sender=me)
    if party in ("desk", "receiver"):
        # Referred from a township, so a down-referral from here goes to a lower level.
        township = cast(Institution, InstitutionFactory(level="township", kind="health_centre"))
        return make_world(
            county=township,
            hospital=mine,
            desk=me if party == "desk" else None,
            doctor=me if party == "receiver" else None,
        )
    return make_world(down=mine, down_actor=me)


def _build(membership: Membership, suffix: str) -> Referral:
    state, party, _role = NEEDS[suffix]
    world = contract_world(membership, party)
    if state == "green":
        return world.request(urgency="emergency")
    if state == "arrived_exam":
        return world.to("arrived", kind="examination")
    if state == "due":
        r = world.to("accepted")
        world.slot_passes(r)
        return r
    return world.to(state)


def contract_referral(membership: Membership, suffix: str) -> dict[str, Any]:
    return {"referral_uuid": _build(membership, suffix).uuid}


def contract_proposed_slot(membership: Membership) -> str:
    """A free slot of the desk's own clinic, for the referral just built."""
    from xietong.scheduling.models import Schedule
    from xietong.scheduling.tests.factories import make_slot

    schedule = (
        Schedule.objects.filter(institution=membership.institution, purpose="outpatient")
        .order_by("-id")
        .first()
    )
    return str(make_slot(schedule, in_hours=300).uuid)


def contract_body_refer(membership: Membership) -> dict[str, Any]:
    """A new up-referral from the member's institution (a doctor) into a free slot."""
    world = make_world(county=membership.institution, sender=actor_for_membership(membership))
    return {
        "patient": str(world.patient.uuid),
        "kind": "outpatient",
        "receiving_institution": str(world.hospital.uuid),
        "slot": str(world.slot().uuid),
        "reason": "胸痛反复发作",
        "clinical_summary": "心电图ST段压低",
        "diagnosis_code": "I20.0",
        "diagnosis_text": "不稳定型心绞痛",
    }


def contract_down_target(membership: Membership) -> str:
    r = (
        Referral.objects.filter(receiving_institution=membership.institution)
        .order_by("-id")
        .first()
    )
    assert r is not None
    return str(r.sending_institution.uuid)


def contract_follow_up(membership: Membership) -> int:
    r = Referral.objects.filter(down_institution=membership.institution).order_by("-id").first()
    assert r is not None
    follow_up = r.follow_ups.filter(visited_on__isnull=True).order_by("due_date").first()
    assert follow_up is not None
    return follow_up.pk


def contract_number(membership: Membership) -> str:
    world = make_world(hospital=membership.institution, desk=actor_for_membership(membership))
    from xietong.referrals.services import referral_accept

    r = referral_accept(actor=world.desk, referral=world.request())
    return f"XIETONG:{r.number}"


CONTRACT_PATHS = list(NEEDS)
_METHODS = {"": ("GET",), "/timeline": ("GET",), "/slip": ("GET",)}
CONTRACT_ROLES = {
    f"{method} /api/v1/referrals/{{referral_uuid}}{suffix}": role
    for suffix, (_state, _party, role) in NEEDS.items()
    if role != "requester"
    for method in _METHODS.get(suffix, ("POST",))
}
CONTRACT_ROLES["POST /api/v1/referrals/check-in"] = "referral_desk"
CONTRACT_ROLES["GET /api/v1/referrals/arrivals"] = "referral_desk"
