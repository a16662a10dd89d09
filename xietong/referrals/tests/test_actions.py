"""What the API offers each party in the states they meet: exactly what the workflow engine's
actions_for says (services.referral_actions), never the state's whole row of the table."""

from __future__ import annotations

import pytest

from xietong.core.actor import Actor
from xietong.referrals.models import Referral

from .test_api import _client
from .world import World, member

pytestmark = pytest.mark.django_db


def _down_world(world: World) -> World:
    """The patient goes back down to the township, not to the sender's own county."""
    world.down, world.down_actor = world.township, world.down_doctor
    return world


def _in(world: World, state: str) -> Referral:
    if state == "green":
        return world.to("requested", urgency="emergency")
    if state == "arrived_exam":
        return world.to("arrived", kind="examination")
    if state == "due":  # accepted, and the appointment's time has come
        r = world.to("accepted")
        world.slot_passes(r)
        return r
    return world.to(state)


def _offered(actor: Actor, r: Referral) -> set[str]:
    answer = _client(actor).get(f"/api/v1/referrals/{r.uuid}")
    assert answer.status_code == 200
    return set(answer.json()["actions"])


# (party, state) -> what the API offers them
OFFERED: dict[tuple[str, str], set[str]] = {
    ("sender", "requested"): {"cancel"},
    ("sender", "green"): {"cancel"},
    ("sender", "proposed"): {"proposal_accept", "proposal_decline", "cancel"},
    ("sender", "accepted"): {"cancel"},
    ("sender", "arrived"): set(),
    ("sender", "reported"): {"close"},
    ("sender", "treated"): {"close"},
    ("sender", "down_requested"): set(),
    ("sender", "declined"): set(),
    ("desk", "requested"): {"accept", "decline", "propose"},
    ("desk", "green"): {"acknowledge", "decline"},
    ("desk", "proposed"): set(),
    # "Did not come" only once the appointment has begun.
    ("desk", "accepted"): {"check_in"},
    ("desk", "due"): {"check_in", "no_show"},
    ("desk", "arrived"): set(),
    ("desk", "arrived_exam"): {"report"},
    ("desk", "treated"): set(),
    ("doctor", "requested"): set(),
    ("doctor", "green"): {"acknowledge"},
    ("doctor", "accepted"): set(),
    ("doctor", "arrived"): {"treatment_summary"},
    ("doctor", "arrived_exam"): {"report"},
    ("doctor", "treated"): {"down_refer", "close"},
    ("doctor", "down_requested"): set(),
    ("down_actor", "down_requested"): {"down_accept", "down_decline"},
    ("down_actor", "follow_up"): {"follow_up", "close"},
    ("down_actor", "closed"): set(),
}


@pytest.mark.parametrize(("party", "state"), sorted(OFFERED))
def test_each_party_is_offered_what_it_may_do_now(world: World, party: str, state: str) -> None:
    _down_world(world)
    r = _in(world, state)
    actor = getattr(world, party)
    assert _offered(actor, r) == OFFERED[(party, state)]


def test_an_outsider_is_offered_nothing_because_it_sees_nothing(world: World) -> None:
    r = world.to("requested")
    answer = _client(member(world.outsider, "referral_desk")).get(f"/api/v1/referrals/{r.uuid}")
    assert answer.status_code == 404


def test_what_a_step_answers_offers_the_next_step_to_its_taker(world: World) -> None:
    r = world.to("requested")
    answer = _client(world.desk).post(f"/api/v1/referrals/{r.uuid}/accept")
    assert answer.status_code == 200
    # The appointment is still to come: checking in, not "did not come".
    assert set(answer.json()["actions"]) == {"check_in"}
