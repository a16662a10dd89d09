"""What a person's page and the approvals page cost: a fixed number of statements, however
many memberships the person has or approvals wait."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xietong.accounts.tests.factories import make_membership
from xietong.core.tests.statements import statements_counted
from xietong.directory.tests.factories import InstitutionFactory

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
