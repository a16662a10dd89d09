"""The demo history: referrals in every state, made through the services."""

from __future__ import annotations

import random

import pytest

from xietong.referrals.demo import referrals_demo_seed
from xietong.referrals.models import Referral, Status

from .world import World

pytestmark = pytest.mark.django_db


def test_the_demo_history_reaches_every_state_but_no_show(world: World) -> None:
    for hours in range(48, 48 + 40):
        world.slot(in_hours=hours, capacity=3)
        world.slot(in_hours=hours, exam=True, capacity=3)
    made = referrals_demo_seed(
        rng=random.Random(1), senders=[world.sender], patients_of=lambda _actor: [world.patient]
    )
    assert len(made) == 25
    states = set(Referral.objects.values_list("status", flat=True))
    assert states == set(Status.values) - {Status.NO_SHOW}
    assert Referral.objects.filter(urgency="emergency", acknowledged_at__isnull=False).exists()
    assert Referral.objects.filter(down_institution=world.county, status="closed").exists()
