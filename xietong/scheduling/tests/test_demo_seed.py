from __future__ import annotations

import random

import pytest
from django.utils import timezone

from xietong.directory.tests.factories import ExpertFactory
from xietong.scheduling.demo import scheduling_demo_seed
from xietong.scheduling.models import Schedule, Slot
from xietong.scheduling.selectors import slots_free
from xietong.scheduling.services.schedules import local_zone

from .factories import a_hospital, desk_of

pytestmark = pytest.mark.django_db


def test_provincial_and_municipal_hospitals_publish_three_weeks() -> None:
    provincial = a_hospital(level="provincial")
    municipal = a_hospital(level="municipal")
    county = a_hospital(level="county")
    ExpertFactory(practitioner__institution=provincial)
    desks = {h.pk: desk_of(h) for h in (provincial, municipal, county)}
    made = scheduling_demo_seed(
        rng=random.Random(1),
        institutions=[provincial, municipal, county],
        actor_for=lambda h: desks[h.pk],
    )
    assert {s.institution_id for s in made} == {provincial.pk, municipal.pk}
    kinds = {(s.purpose, s.examination_type) for s in made if s.institution_id == provincial.pk}
    assert {
        ("examination", "ct"),
        ("examination", "mri"),
        ("examination", "ultrasound"),
        ("consultation", ""),
    } <= kinds
    assert any(p == "outpatient" for p, _ in kinds)
    last = max(Slot.objects.values_list("start", flat=True)).astimezone(local_zone()).date()
    assert 19 <= (last - timezone.localdate()).days <= 20
    assert list(slots_free(institution=provincial, examination_type="ct", via_referral=True))


def test_seeding_again_adds_nothing() -> None:
    hospital = a_hospital()
    desk = desk_of(hospital)
    scheduling_demo_seed(rng=random.Random(2), institutions=[hospital], actor_for=lambda h: desk)
    before = (Schedule.objects.count(), Slot.objects.count())
    again = scheduling_demo_seed(
        rng=random.Random(2), institutions=[hospital], actor_for=lambda h: desk
    )
    assert again == [] and (Schedule.objects.count(), Slot.objects.count()) == before
