"""People for the administration pages' tests: administrators whose accounts may change
access (staff, with the accounts permissions the services ask for), and the others."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import pytest
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.test import Client

from xietong.accounts.memberships import ACCOUNT_PERMISSIONS
from xietong.accounts.models import Membership, User
from xietong.accounts.tests.factories import make_membership
from xietong.directory.access import DIRECTORY_PERMISSIONS
from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory


def staff_admin(institution: Institution, role: str, *, may_change: bool = True) -> User:
    """An administrator with one membership; `may_change`: a staff account holding the
    accounts' and the directory's permissions (what the audited services check)."""
    membership = make_membership(institution=institution, roles=[role])
    user = membership.user
    if may_change:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        wanted = Q()
        for permission in (*ACCOUNT_PERMISSIONS, *DIRECTORY_PERMISSIONS):
            app, codename = permission.split(".")
            wanted |= Q(content_type__app_label=app, codename=codename)
        user.user_permissions.set(Permission.objects.filter(wanted))
    return cast(User, User.objects.get(pk=user.pk))


def client_for(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


@dataclass
class World:
    centre: Institution
    county: Institution
    town: Institution
    root: User  # a platform administrator
    second: User  # another platform administrator
    county_admin: User  # the county hospital's administrator
    doctor: User  # a requesting doctor at the county hospital
    nurse_elsewhere: User  # a requesting doctor at the township clinic

    def membership(self, user: User, institution: Institution) -> Membership:
        return Membership.objects.get(user=user, institution=institution)


@pytest.fixture
def world(db: None) -> World:
    centre = cast(Institution, InstitutionFactory(name="远程医学中心"))
    county = cast(Institution, InstitutionFactory(name="金桥县医院"))
    town = cast(Institution, InstitutionFactory(name="康城镇卫生院"))
    doctor = make_membership(institution=county, roles=["requester"]).user
    doctor.display_name, doctor.phone = "王建国", "13800000001"
    doctor.save()
    return World(
        centre=centre,
        county=county,
        town=town,
        root=staff_admin(centre, "platform_admin"),
        second=staff_admin(centre, "platform_admin"),
        county_admin=staff_admin(county, "institution_admin"),
        doctor=doctor,
        nurse_elsewhere=make_membership(institution=town, roles=["requester"]).user,
    )
