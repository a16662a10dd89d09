from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.tests.factories import make_membership, make_user
from xietong.accounts.tests.helpers import audit_actions, last_audit, text

pytestmark = pytest.mark.django_db

SWITCH = "accounts:switch_membership"


def _acting(client: Client) -> str:
    """The institution "My account" marks as the one acted for."""
    body = text(client.get(reverse("accounts:account")))
    row = body.split("正在代表")[0].rsplit("<tr>", 1)[1]
    return row.split('data-label="机构">')[1].split("<")[0]


def test_switch_to_own_membership(client: Client) -> None:
    user = make_user("requester", institution__name="甲县医院")
    second = make_membership(user=user, roles=["expert"], institution__name="省医院")
    client.force_login(user)
    assert _acting(client) == "甲县医院"
    response = client.post(reverse(SWITCH), {"membership": second.pk}, follow=True)
    assert "您现在代表 省医院 工作" in text(response)
    assert _acting(client) == "省医院"
    event = last_audit(user.username, "membership.switch")
    assert event.membership_id == second.pk
    assert event.resource_id == str(second.pk)


def test_switch_returns_to_a_page_on_this_site_only(client: Client) -> None:
    user = make_user("requester")
    second = make_membership(user=user)
    client.force_login(user)
    response = client.post(
        reverse(SWITCH), {"membership": second.pk, "next": reverse("accounts:account")}
    )
    assert response["Location"] == reverse("accounts:account")
    response = client.post(
        reverse(SWITCH), {"membership": second.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_cannot_switch_to_someone_elses_membership(client: Client) -> None:
    user = make_user("requester", institution__name="甲县医院")
    other = make_membership(institution__name="别人的医院")
    client.force_login(user)
    response = client.post(reverse(SWITCH), {"membership": other.pk}, follow=True)
    assert "该成员身份不属于您或已停用" in text(response)
    assert _acting(client) == "甲县医院"
    assert "membership.switch" not in audit_actions(user.username)


def test_cannot_switch_to_inactive_membership(client: Client) -> None:
    user = make_user("requester", institution__name="甲县医院")
    inactive = make_membership(user=user, active=False, institution__name="旧单位")
    client.force_login(user)
    body = text(client.post(reverse(SWITCH), {"membership": inactive.pk}, follow=True))
    assert "该成员身份不属于您或已停用" in body
    assert _acting(client) == "甲县医院"


def test_garbage_is_refused(client: Client) -> None:
    user = make_user("requester")
    client.force_login(user)
    body = text(client.post(reverse(SWITCH), {"membership": "abc"}, follow=True))
    assert "该成员身份不属于您或已停用" in body


def test_switch_needs_post(client: Client) -> None:
    user = make_user("requester")
    client.force_login(user)
    assert client.get(reverse(SWITCH)).status_code == 405
