"""The accounts services the administration pages call (accounts/people.py,
memberships.py, selectors.py: the functions for these pages), asked directly: one
transaction for a person and their first membership, and each administrator's reach."""

from __future__ import annotations

import pytest

from xietong.accounts.actors import actor_for_user
from xietong.accounts.memberships import (
    admin_permissions,
    membership_create_managed,
    membership_update_managed,
)
from xietong.accounts.models import Membership, User
from xietong.accounts.people import person_create, person_password_set
from xietong.accounts.selectors import (
    account_governed_by,
    people_search,
    people_visible_to,
    roles_grantable_by,
)
from xietong.accounts.tests.factories import make_membership
from xietong.core.actor import Actor
from xietong.core.errors import NotPermitted, ValidationFailed
from xietong.core.models import AuditEvent

from .conftest import World, staff_admin

pytestmark = pytest.mark.django_db


def _actor(user: User) -> Actor:
    actor = actor_for_user(user=user)
    assert actor is not None
    return actor


def _create(actor: Actor, world: World, **overrides: object) -> User:
    values: dict = {
        "username": "zhao_lei", "display_name": "赵磊", "phone": "", "email": "",
        "password": "Clinic-Door-31", "institution": world.county, "roles": ["requester"],
        **overrides,
    }  # fmt: skip
    return person_create(actor=actor, **values)


def test_a_bad_password_writes_nothing(world: World) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        _create(_actor(world.root), world, password="zhao_lei1")
    assert set(refused.value.fields) == {"password"}
    assert not User.objects.filter(username="zhao_lei").exists()
    assert AuditEvent.objects.count() == before


def test_every_field_is_checked_before_anything_is_written(world: World) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _create(_actor(world.root), world, username="bad name!", display_name="",
                email="not-an-address", password="short", roles=[])  # fmt: skip
    assert set(refused.value.fields) == {"username", "display_name", "email", "password", "roles"}


def test_a_refused_membership_takes_the_new_account_with_it(world: World) -> None:
    # The account is saved, then the membership is refused (another institution's): the
    # transaction keeps neither, nor their audit records.
    before = AuditEvent.objects.count()
    with pytest.raises(NotPermitted):
        _create(_actor(world.county_admin), world, institution=world.town)
    assert not User.objects.filter(username="zhao_lei").exists()
    assert AuditEvent.objects.count() == before


def test_an_institution_administrator_reaches_their_institution_only(world: World) -> None:
    county = _actor(world.county_admin)
    assert set(people_visible_to(county)) == {world.county_admin, world.doctor}
    assert "platform_admin" not in dict(roles_grantable_by(county))
    with pytest.raises(NotPermitted):
        membership_create_managed(
            actor=county, user=world.doctor, institution=world.town, roles=["requester"]
        )
    with pytest.raises(NotPermitted):  # never the platform administrator's role
        membership_update_managed(
            actor=county,
            membership_id=world.membership(world.doctor, world.county).pk,
            roles=["platform_admin"],
            active=True,
        )
    # A platform administrator's membership at the county is not theirs to touch either.
    platform = make_membership(user=world.second, institution=world.county, roles=["lecturer"])
    platform.refresh_from_db()
    assert world.second in people_visible_to(county)
    assert not account_governed_by(actor=county, person=world.second)
    with pytest.raises(NotPermitted):
        person_password_set(actor=county, person=world.second, password="Take-Over-2026")


def test_a_clinician_manages_nobody(world: World) -> None:
    doctor = _actor(world.doctor)
    with pytest.raises(NotPermitted):
        people_visible_to(doctor)
    assert admin_permissions(doctor) == frozenset()


def test_the_search_reads_people_and_memberships_in_three_queries(
    world: World, django_assert_num_queries
) -> None:
    for _n in range(6):
        make_membership(institution=world.county, roles=["expert"])
    actor = _actor(world.root)
    with django_assert_num_queries(3):  # the count, the page, their memberships
        found = people_search(actor=actor, role="expert")
        assert found.count() == 6
        rows = list(found[:25])
        labels = [m.institution.name for p in rows for m in p.memberships.all()]
    assert labels == ["金桥县医院"] * 6


def test_a_role_is_found_whole(world: World) -> None:
    make_membership(institution=world.county, roles=["course_reviewer"])
    actor = _actor(world.root)
    assert people_search(actor=actor, role="course_reviewer").count() == 1
    assert people_search(actor=actor, role="qc").count() == 0
    with pytest.raises(ValidationFailed):
        people_search(actor=actor, role="qc_lead")


def test_staff_without_permissions_may_change_nothing(world: World) -> None:
    looker = staff_admin(world.centre, "platform_admin", may_change=False)
    looker.is_staff = True
    looker.save()
    assert admin_permissions(_actor(looker)) == frozenset()
    assert Membership.objects.filter(user=looker).exists()


def test_core_names_the_administrator_roles_as_accounts_does() -> None:
    # core/administrators.py cannot import the roles' enumeration (it sits above core).
    from xietong.accounts.models import Role
    from xietong.core.administrators import INSTITUTION_ADMIN, PLATFORM_ADMIN

    assert (PLATFORM_ADMIN, INSTITUTION_ADMIN) == (Role.PLATFORM_ADMIN, Role.INSTITUTION_ADMIN)
