"""Each role's home shows that role's work first: registering a patient is a requesting
doctor's card, after their worklists; an expert or a referral desk is not asked to."""

from __future__ import annotations

from typing import cast

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _home(client: Client, *roles: str) -> str:
    membership = cast(Membership, MembershipFactory(roles=list(roles)))
    client.force_login(membership.user)
    client.cookies["django_language"] = "en"
    return client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("role", ["expert", "referral_desk", "coordinator"])
def test_no_register_card_for_those_whose_work_is_elsewhere(client: Client, role: str) -> None:
    page = _home(client, role)
    assert "Register a patient" not in page


def test_a_desks_home_opens_on_its_referrals(client: Client) -> None:
    page = _home(client, "referral_desk")
    assert page.index("Referrals awaiting your answer") < page.index("Recent patients")


def test_a_doctors_home_lists_their_requests_before_registering(client: Client) -> None:
    page = _home(client, "requester")
    assert page.index("My consultation requests") < page.index("Register a patient")
