"""What a person's page, the approvals page and the directory's lists cost: a fixed number
of statements, however many memberships the person has, approvals wait or rows are listed."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xietong.accounts.tests.factories import make_membership
from xietong.core.tests.statements import statements_counted
from xietong.directory.tests.factories import (
    CollaborationLinkFactory,
    ExpertFactory,
    InstitutionFactory,
    PractitionerFactory,
)

from .conftest import World, client_for

pytestmark = pytest.mark.django_db
APPROVALS = reverse("administration:approvals")


def _statements(client: Client, url: str) -> int:
    with statements_counted() as found:
        assert client.get(url).status_code == 200
    return len(found)


def test_a_persons_page_costs_the_same_however_many_memberships(world: World) -> None:
    client = client_for(world.root)
    url = reverse("administration:person", kwargs={"user_uuid": world.doctor.uuid})
    client.get(url)  # the session and the caches warmed
    few = _statements(client, url)
    for _n in range(6):
        make_membership(user=world.doctor, institution=InstitutionFactory(), roles=["requester"])
    assert _statements(client, url) == few
    assert few <= 14  # the session, the actor, the navigation's counts, the person, …


def _waiting(world: World) -> None:
    """A membership whose clinical role waits for another administrator's approval."""
    membership = make_membership(institution=InstitutionFactory(), roles=[])
    membership.pending_roles = ["expert"]
    membership.pending_requested_by = world.second
    membership.pending_since = timezone.now()
    membership.save()


def test_the_approvals_page_costs_the_same_however_many_wait(world: World) -> None:
    client = client_for(world.root)
    _waiting(world)
    client.get(APPROVALS)
    few = _statements(client, APPROVALS)
    for _n in range(6):
        _waiting(world)
    assert _statements(client, APPROVALS) == few
    assert few <= 12  # the session, the actor, the navigation's counts, the approvals
    assert client.get(APPROVALS).content.decode().count("/approve/") == 7


def _more_directory_rows(world: World) -> None:
    """Rows of every list, each with what it shows beside it: a region and an upline, an
    institution, department and expert profile, a provider and a client."""
    for n in range(6):
        place = InstitutionFactory(upline=world.centre)
        doctor = PractitionerFactory(institution=world.county, name=f"医生{n}")
        ExpertFactory(practitioner=PractitionerFactory(institution=place))
        CollaborationLinkFactory(provider=world.centre, client=place, service="consultation")
        CollaborationLinkFactory(provider=place, client=world.county, service="referral")
        del doctor


@pytest.mark.parametrize(
    ("name", "budget"),
    [
        ("administration:institutions", 13),
        ("administration:practitioners", 13),
        ("administration:links", 13),
    ],
)
def test_the_directory_lists_cost_the_same_however_many_rows(
    world: World, name: str, budget: int
) -> None:
    client = client_for(world.root)
    url = reverse(name)
    PractitionerFactory(institution=world.county)
    CollaborationLinkFactory(provider=world.centre, client=world.county)
    client.get(url)  # the session and the caches warmed
    few = _statements(client, url)
    _more_directory_rows(world)
    assert _statements(client, url) == few
    # The session, the actor, the navigation's counts, the account's permissions, the count
    # and the page of rows (their related rows joined).
    assert few <= budget
