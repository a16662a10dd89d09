"""The FHIR surface answers in FHIR: OperationOutcome refusals, searchset bundles."""

from __future__ import annotations

import uuid
from typing import cast

import pytest
from django.test import Client

from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import MembershipFactory
from xietong.accounts.tokens import api_token_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    membership = cast(Membership, MembershipFactory(roles=["requester"]))
    _, key = api_token_issue(membership=membership)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_without_credentials_the_answer_is_401_outcome() -> None:
    answer = Client().get(f"/fhir/R4/ServiceRequest/{uuid.uuid4()}")
    assert answer.status_code == 401
    assert answer.json()["resourceType"] == "OperationOutcome"


def test_an_unknown_id_and_a_malformed_id_are_both_404(client: Client) -> None:
    for resource_id in (str(uuid.uuid4()), "not-a-uuid"):
        answer = client.get(f"/fhir/R4/ServiceRequest/{resource_id}")
        assert answer.status_code == 404
        assert answer.json()["issue"][0]["code"] == "not-found"


def test_a_type_nobody_serves_is_404_not_supported(client: Client) -> None:
    answer = client.get(f"/fhir/R4/Basic/{uuid.uuid4()}")
    assert answer.status_code == 404
    assert answer.json()["issue"][0]["code"] == "not-supported"
    assert "不" in answer.json()["issue"][0]["diagnostics"]


def test_a_search_needs_a_parameter_and_finds_nothing_it_may_not_show(client: Client) -> None:
    assert client.get("/fhir/R4/Task").status_code == 400
    answer = client.get("/fhir/R4/Task", {"focus": f"ServiceRequest/{uuid.uuid4()}"})
    assert answer.status_code == 200
    assert answer.json()["type"] == "searchset" and answer.json()["total"] == 0


def test_the_signed_in_session_is_admitted_as_the_api_admits_it() -> None:
    membership = cast(Membership, MembershipFactory(roles=["requester"]))
    browser = Client()
    browser.force_login(membership.user)
    answer = browser.get(f"/fhir/R4/ServiceRequest/{uuid.uuid4()}")
    assert answer.status_code == 404  # admitted, and nothing of that id
    assert browser.get("/api/v1/auth/me").status_code == 200  # the API admits it alike


def test_an_unknown_token_is_401() -> None:
    answer = Client(HTTP_AUTHORIZATION="Bearer not-a-token").get(
        f"/fhir/R4/ServiceRequest/{uuid.uuid4()}"
    )
    assert answer.status_code == 401
