"""Administrators for the directory's service tests: accounts acting through a membership,
whose staff account holds the directory's model permissions (or not)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from django.contrib.auth.models import Permission

from xietong.accounts.actors import actor_for_membership
from xietong.accounts.tests.factories import make_membership
from xietong.core.actor import Actor
from xietong.directory.access import DIRECTORY_PERMISSIONS
from xietong.directory.models import Institution


def directory_admin(
    institution: Institution, role: str, *, permissions: Iterable[str] = DIRECTORY_PERMISSIONS
) -> Actor:
    """An administrator acting through `role` at `institution`; their account a staff one
    holding `permissions` (none: a staff account that may change nothing)."""
    membership = make_membership(institution=institution, roles=[role])
    user = membership.user
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    codenames = [p.split(".", 1)[1] for p in permissions]
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="directory", codename__in=codenames)
    )
    return actor_for_membership(membership)


def an_institution(**fields: object) -> Institution:
    """An institution from the factory, typed as one."""
    from .factories import InstitutionFactory

    return cast(Institution, InstitutionFactory(**fields))
