"""Practitioners and their expert profiles, added and changed by administrators: a
platform administrator anyone's, an institution's administrator their own institution's.
The practitioner and the profile are checked together and saved together."""

from __future__ import annotations

from typing import Any, cast

import pytest

from xietong.core.errors import NotPermitted, ValidationFailed
from xietong.core.models import AuditEvent
from xietong.directory.access import PRACTITIONER_ADD, PRACTITIONER_CHANGE
from xietong.directory.models import Department, Expert, Institution, Practitioner
from xietong.directory.selectors import expert_search
from xietong.directory.services import (
    ExpertProfile,
    expert_profile_set,
    practitioner_create,
    practitioner_update,
)
from xietong.directory.tests.administrators import an_institution, directory_admin
from xietong.directory.tests.factories import (
    DepartmentFactory,
    PractitionerFactory,
)

pytestmark = pytest.mark.django_db


def _values(institution: Institution | None, **overrides: Any) -> dict[str, Any]:
    department = cast(Department, DepartmentFactory(code="03.04", name="心血管内科"))
    return {
        "name": "林海",
        "sex": "M",
        "institution": institution,
        "department": department,
        "title": "chief",
        "practising_since": 1998,
        "specialties": "冠心病介入治疗",
        "licence_number": "110410000123456",
        **overrides,
    }


def test_a_practitioner_is_added_with_a_profile_in_the_library() -> None:
    hospital = an_institution(level="provincial")
    root = directory_admin(an_institution(), "platform_admin")
    profile = ExpertProfile(active=True, accepts=("education", "consultation"), bio="介入")
    made = practitioner_create(actor=root, **_values(hospital), expert=profile)
    expert = Expert.objects.get(practitioner=made)
    # The services' own order, whatever order they were ticked in.
    assert expert.accepts == ["consultation", "education"] and expert.active
    assert [e.practitioner for e in expert_search(q="林海")] == [made]
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["practitioner.create", "expert.create"]


def test_an_empty_profile_leaves_the_practitioner_out_of_the_library() -> None:
    hospital = an_institution()
    root = directory_admin(hospital, "platform_admin")
    made = practitioner_create(
        actor=root, **_values(hospital), expert=ExpertProfile(active=False, accepts=(), bio=" ")
    )
    assert not Expert.objects.filter(practitioner=made).exists()


def test_every_problem_of_both_is_named_and_nothing_written() -> None:
    hospital = an_institution()
    root = directory_admin(hospital, "platform_admin")
    before = (Practitioner.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationFailed) as refused:
        practitioner_create(
            actor=root,
            **_values(None, name="", sex="X", title="boss", practising_since=1850),
            expert=ExpertProfile(active=True, accepts=(), bio="x" * 2001),
        )
    assert set(refused.value.fields) == {
        "name",
        "sex",
        "title",
        "practising_since",
        "institution",
        "accepts",
        "bio",
    }
    assert (Practitioner.objects.count(), AuditEvent.objects.count()) == before


def test_a_change_records_old_and_new_and_switching_off_keeps_the_profile() -> None:
    hospital = an_institution()
    doctor = cast(Practitioner, PractitionerFactory(institution=hospital, name="王建国"))
    Expert.objects.create(practitioner=doctor, accepts=["consultation"], bio="")
    root = directory_admin(hospital, "platform_admin")
    values = _values(
        hospital,
        name="王建国",
        department=doctor.department,
        title="associate_chief",
        practising_since=doctor.practising_since,
        specialties="",
        licence_number="",
    )
    practitioner_update(
        actor=root,
        practitioner=doctor,
        **values,
        expert=ExpertProfile(active=False, accepts=("consultation",), bio=""),
    )
    doctor.refresh_from_db()
    assert doctor.title == "associate_chief"
    changed = AuditEvent.objects.get(action="practitioner.update").detail["fields"]
    assert changed == {"title": {"from": "attending", "to": "associate_chief"}}
    expert = AuditEvent.objects.get(action="expert.update").detail["fields"]
    assert expert == {"active": {"from": True, "to": False}}
    assert Expert.objects.get(practitioner=doctor).accepts == ["consultation"]
    assert not list(expert_search(q="王建国"))


def test_an_institution_administrator_manages_their_own_practitioners_only() -> None:
    mine, theirs = an_institution(), an_institution()
    admin = directory_admin(mine, "institution_admin")
    made = practitioner_create(actor=admin, **_values(mine))
    assert made.institution == mine
    with pytest.raises(NotPermitted):
        practitioner_create(actor=admin, **_values(theirs, name="别人"))
    # Nor moves one of theirs elsewhere, nor changes another institution's.
    with pytest.raises(NotPermitted):
        practitioner_update(actor=admin, practitioner=made, **_values(theirs))
    elsewhere = cast(Practitioner, PractitionerFactory(institution=theirs))
    with pytest.raises(NotPermitted):
        expert_profile_set(
            actor=admin,
            practitioner=elsewhere,
            profile=ExpertProfile(active=True, accepts=("ecg",), bio=""),
        )
    made.refresh_from_db()
    assert made.institution == mine and not Expert.objects.exists()


def test_the_profile_needs_its_own_permission() -> None:
    hospital = an_institution()
    admin = directory_admin(
        hospital, "platform_admin", permissions=(PRACTITIONER_ADD, PRACTITIONER_CHANGE)
    )
    with pytest.raises(NotPermitted):
        practitioner_create(
            actor=admin,
            **_values(hospital),
            expert=ExpertProfile(active=True, accepts=("ecg",), bio=""),
        )
    assert not Practitioner.objects.exists()
    # Without a profile to change, the practitioner is theirs to add.
    made = practitioner_create(
        actor=admin, **_values(hospital), expert=ExpertProfile(active=False, accepts=(), bio="")
    )
    assert made.pk is not None
