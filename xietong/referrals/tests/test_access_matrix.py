"""Who sees a referral, cell by cell: the sending, receiving and down-referral receiver
institutions' doctors and desks; nobody else (a 404, as if missing)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.patients.tests.factories import an_institution
from xietong.referrals.models import Referral
from xietong.referrals.selectors import get_referral_for, referrals_for

from .world import World, member

pytestmark = pytest.mark.django_db

CASES: dict[str, tuple[Callable[[World], Actor], bool]] = {
    "sender": (lambda w: w.sender, True),
    "colleague_at_sending_hospital": (lambda w: member(w.county, "requester"), True),
    "receiving_desk": (lambda w: w.desk, True),
    "receiving_doctor": (lambda w: w.doctor, True),
    "receiving_coordinator": (lambda w: w.coordinator, True),
    "down_receiver": (lambda w: member(w.township, "requester"), True),
    "receiving_pharmacist": (lambda w: member(w.hospital, "pharmacist"), False),
    "unlinked_hospital_desk": (lambda w: member(w.outsider, "referral_desk"), False),
    "other_county_doctor": (lambda w: member(an_institution(), "requester"), False),
    "supervisor": (lambda w: member(w.county, "supervisor"), False),
    "platform_admin": (lambda w: member(w.hospital, "platform_admin"), False),
    "institution_admin": (lambda w: member(w.hospital, "institution_admin"), False),
}


def _down_to_township(world: World) -> Referral:
    from django.utils import timezone

    from xietong.referrals.services import referral_down_refer

    return referral_down_refer(
        actor=world.doctor, referral=world.to("treated"), down_institution=world.township,
        instructions="康复", follow_up_dates=[timezone.localdate()],
    )  # fmt: skip


@pytest.mark.parametrize("who", sorted(CASES))
def test_access(world: World, who: str) -> None:
    r = _down_to_township(world)
    make, sees = CASES[who]
    actor = make(world)
    assert referrals_for(actor=actor).filter(pk=r.pk).exists() is sees
    if sees:
        assert get_referral_for(actor=actor, referral_uuid=r.uuid) == r
    else:
        with pytest.raises(NotFound):
            get_referral_for(actor=actor, referral_uuid=r.uuid)


def test_a_township_not_yet_referred_to_sees_nothing(world: World) -> None:
    r = world.request()
    with pytest.raises(NotFound):
        get_referral_for(actor=world.down_doctor, referral_uuid=r.uuid)


def test_missing_and_malformed_ids_are_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        get_referral_for(actor=world.sender, referral_uuid="not-a-uuid")
    with pytest.raises(NotFound):
        get_referral_for(actor=world.sender, referral_uuid="00000000-0000-0000-0000-000000000000")
