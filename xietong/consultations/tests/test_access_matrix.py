"""Who sees a consultation, cell by cell: the requesting institution, the serving centre's
QC and coordinators, and the experts assigned to it; nobody else (a 404, as if missing)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from xietong.consultations.selectors import consultations_for, get_consultation_for
from xietong.consultations.services import consultation_expert_decline
from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.patients.tests.factories import an_institution

from .world import World, member

pytestmark = pytest.mark.django_db


CASES: dict[str, tuple[Callable[[World], Actor], bool]] = {
    "requester": (lambda w: w.requester, True),
    "colleague_at_requesting_hospital": (lambda w: member(w.county, "requester"), True),
    "other_county_doctor": (lambda w: member(an_institution(), "requester"), False),
    "centre_qc": (lambda w: w.qc, True),
    "centre_coordinator": (lambda w: w.coordinator, True),
    "centre_expert_role_only": (lambda w: member(w.centre, "pharmacist"), False),
    "assigned_expert": (lambda w: w.expert_actor, True),
    "unrelated_expert": (lambda w: w.more_expert()[1], False),
    "supervisor": (lambda w: member(w.county, "supervisor"), False),
    "platform_admin": (lambda w: member(w.centre, "platform_admin"), False),
    "other_centre_coordinator": (
        lambda w: member(an_institution(kind="telemedicine_centre"), "coordinator"),
        False,
    ),
}


@pytest.mark.parametrize("who", sorted(CASES))
def test_access(world: World, who: str) -> None:
    c = world.to("assigned")
    make, sees = CASES[who]
    actor = make(world)
    listed = consultations_for(actor=actor).filter(pk=c.pk).exists()
    assert listed is sees
    if sees:
        assert get_consultation_for(actor=actor, consultation_uuid=c.uuid) == c
    else:
        with pytest.raises(NotFound):
            get_consultation_for(actor=actor, consultation_uuid=c.uuid)


def test_a_declined_expert_no_longer_sees_it(world: World) -> None:
    c = world.to("assigned")
    consultation_expert_decline(actor=world.expert_actor, consultation=c, reason="不在本专业")
    with pytest.raises(NotFound):
        get_consultation_for(actor=world.expert_actor, consultation_uuid=c.uuid)
    assert not consultations_for(actor=world.expert_actor).exists()


def test_the_centre_does_not_see_drafts(world: World) -> None:
    c = world.to("draft")
    with pytest.raises(NotFound):
        get_consultation_for(actor=world.coordinator, consultation_uuid=c.uuid)


def test_a_malformed_id_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        get_consultation_for(actor=world.requester, consultation_uuid="not-a-uuid")
