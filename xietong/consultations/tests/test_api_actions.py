"""What the API offers each party in each state they meet: `actions` of
GET /api/v1/consultations/{id} is what that person may do now, not every action of the
state (a requester who just submitted is not offered the quality check)."""

from __future__ import annotations

import pytest

from .test_api import Api
from .world import World

pytestmark = pytest.mark.django_db

NOT_SEEN = None  # the consultation is not visible to this party: 404

REQUESTER: dict[str, set[str] | None] = {
    "draft": {"update", "submit", "cancel"},
    "submitted": {"cancel"},
    "returned": {"update", "resubmit", "cancel"},
    "triage": {"cancel"},
    "assigned": {"cancel"},
    "accepted": {"cancel"},
    "scheduled": {"cancel"},
    "in_progress": set(),
    "opinion_signed": {"acknowledge"},
    "completed": set(),
    "cancelled": set(),
}
QC: dict[str, set[str] | None] = {
    "draft": NOT_SEEN,
    "submitted": {"qc_pass", "qc_return", "cancel"},
    "returned": {"cancel"},
    "triage": {"cancel"},
    "assigned": {"cancel"},
    "accepted": {"cancel"},
    "scheduled": {"cancel"},
    "in_progress": set(),
    "opinion_signed": set(),
    "completed": set(),
    "cancelled": set(),
}
COORDINATOR: dict[str, set[str] | None] = {
    "draft": NOT_SEEN,
    "submitted": {"cancel"},
    "returned": {"cancel"},
    "triage": {"triage_assign", "cancel"},
    "assigned": {"cancel"},
    "accepted": {"cancel"},  # asynchronous: nothing to book
    "accepted_realtime": {"schedule", "cancel"},
    "scheduled": {"reschedule", "start", "cancel"},
    "in_progress": set(),
    "opinion_signed": set(),
    "completed": set(),
    "cancelled": set(),
}
EXPERT: dict[str, set[str] | None] = {
    # Not assigned yet (or never: this one was cancelled in triage).
    "draft": NOT_SEEN,
    "submitted": NOT_SEEN,
    "returned": NOT_SEEN,
    "triage": NOT_SEEN,
    "cancelled": NOT_SEEN,
    "assigned": {"expert_accept", "expert_decline"},
    "accepted": {"start"},
    "accepted_realtime": {"schedule", "start"},
    "scheduled": {"reschedule", "start"},
    "in_progress": {"opinion_save", "opinion_sign"},
    "opinion_signed": {"opinion_correct"},
    "completed": {"opinion_correct"},
}
PARTIES: dict[str, dict[str, set[str] | None]] = {
    "requester": REQUESTER,
    "qc": QC,
    "coordinator": COORDINATOR,
    "expert": EXPERT,
}
CASES = [(party, state) for party, table in PARTIES.items() for state in table]


def _actions(world: World, party: str, state: str) -> set[str] | None:
    realtime = state == "accepted_realtime"
    c = world.to("accepted", mode="realtime") if realtime else world.to(state)
    actor = {
        "requester": world.requester,
        "qc": world.qc,
        "coordinator": world.coordinator,
        "expert": world.expert_actor,
    }[party]
    answer = Api(actor).get(f"/{c.uuid}")
    if answer.status_code == 404:
        return NOT_SEEN
    assert answer.status_code == 200, answer.json()
    return set(answer.json()["actions"])


@pytest.mark.parametrize(("party", "state"), CASES)
def test_each_party_is_offered_what_it_may_do_now(world: World, party: str, state: str) -> None:
    assert _actions(world, party, state) == PARTIES[party][state]


def test_an_expert_of_an_mdt_who_accepted_is_not_asked_again(world: World) -> None:
    from xietong.consultations import services as s

    other, other_actor = world.more_expert()
    c = world.to("triage", kind="mdt")
    c = s.consultation_triage_assign(
        actor=world.coordinator, consultation=c, experts=[world.expert, other], lead=world.expert
    )
    s.consultation_expert_accept(actor=world.expert_actor, consultation=c)
    assert set(Api(world.expert_actor).get(f"/{c.uuid}").json()["actions"]) == set()
    waiting = Api(other_actor).get(f"/{c.uuid}").json()
    assert waiting["status"] == "assigned"
    assert set(waiting["actions"]) == {"expert_accept", "expert_decline"}


@pytest.mark.parametrize(
    "state", ["draft", "submitted", "triage", "assigned", "in_progress", "completed"]
)
def test_an_outsider_finds_nothing(world: World, state: str) -> None:
    from .world import member

    c = world.to(state)
    for outsider in (
        member(world.hospital, "requester", "qc", "coordinator"),
        world.more_expert()[1],
    ):
        assert Api(outsider).get(f"/{c.uuid}").status_code == 404
