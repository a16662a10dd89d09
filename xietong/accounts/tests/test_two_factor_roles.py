"""Which roles must sign in with a second factor when XT_REQUIRE_2FA is on (production)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def require_2fa(settings):
    settings.XT_REQUIRE_2FA = True


@pytest.mark.parametrize("role", ["qc", "referral_desk"])
def test_quality_control_and_referral_desks_must_set_up_a_second_factor(
    client: Client, sign_in, role: str
) -> None:
    user = make_user(role)
    response = sign_in(user.username)
    assert response["Location"].startswith(reverse("accounts:totp_setup"))
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:totp_setup"))


@pytest.mark.parametrize("role", ["qc", "referral_desk"])
def test_nor_do_they_get_an_api_token_with_a_password_alone(client: Client, role: str) -> None:
    user = make_user(role)
    response = client.post(
        "/api/v1/auth/token",
        {"username": user.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json()["code"] == "otp_required"
