"""The account lock against tokens already issued, and the way past a lock a stranger
caused: the password and a current code together (docs/adr/0012)."""

from __future__ import annotations

from typing import Any

import pytest
from axes.utils import reset as axes_reset
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from xietong.accounts.lockout import account_locked
from xietong.accounts.models import User
from xietong.accounts.tests.factories import (
    PASSWORD,
    make_totp_device,
    make_user,
    totp_code,
    wrong_code,
)
from xietong.accounts.tests.helpers import audit_actions, text
from xietong.accounts.tokens import api_token_issue

pytestmark = pytest.mark.django_db

WRONG = "Wrong-Password-7"
TOKEN_URL = "/api/v1/auth/token"


def _lock(username: str) -> None:
    """A stranger who knows the username tries passwords until the account locks."""
    stranger = Client()
    for _ in range(5):
        stranger.post(reverse("accounts:login"), {"username": username, "password": WRONG})
    assert account_locked(username)


def _past_lock(client: Client, username: str, password: str, code: str) -> Any:
    return client.post(
        reverse("accounts:login_past_lock"),
        {"locked_username": username, "password": password, "code": code},
    )


def test_tokens_issued_before_stop_working_while_locked() -> None:
    user = make_user("requester")
    _token, key = api_token_issue(membership=user.memberships.get())
    me = "/api/v1/auth/me"
    bearer = {"authorization": f"Bearer {key}"}
    assert Client().get(me, headers=bearer).status_code == 200
    _lock(user.username)
    assert Client().get(me, headers=bearer).status_code == 401
    axes_reset(username=user.username)  # the lock ends (cool-off, or an administrator)
    assert Client().get(me, headers=bearer).status_code == 200


def test_the_lock_page_offers_password_and_code(client: Client) -> None:
    user = make_user("expert")
    _lock(user.username)
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 429
    body = text(response)
    assert reverse("accounts:login_past_lock") in body
    assert f'value="{user.username}"' in body


def test_password_and_code_pass_a_lock_and_end_it(client: Client) -> None:
    user = make_user("expert")
    device = make_totp_device(user)
    _lock(user.username)
    response = _past_lock(client, user.username, PASSWORD, totp_code(device))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200  # signed in, code given
    assert not account_locked(user.username)
    actions = audit_actions(user.username)
    assert "login.unlock" in actions
    assert actions[-1] == "login.success"


@pytest.mark.parametrize("what", ["password", "code", "no_device", "unknown"])
def test_every_failure_past_a_lock_looks_the_same(client: Client, what: str) -> None:
    user = make_user("expert")
    if what != "no_device":
        device = make_totp_device(user)
    _lock(user.username)
    username = "nobody-here" if what == "unknown" else user.username
    if what == "unknown":
        _lock(username)
    password = WRONG if what == "password" else PASSWORD
    code = wrong_code(device) if what == "code" else "123456"
    if what == "password":
        code = totp_code(device)
    response = _past_lock(client, username, password, code)
    assert response.status_code == 429
    assert "账户仍处于锁定状态" in text(response)
    assert "_auth_user_id" not in client.session
    assert account_locked(username)


def test_a_strangers_guesses_do_not_throttle_the_owners_codes(client: Client) -> None:
    user = make_user("expert")
    device = make_totp_device(user)
    _lock(user.username)
    for _ in range(3):
        _past_lock(Client(), user.username, WRONG, "000000")
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert _past_lock(client, user.username, PASSWORD, totp_code(device)).status_code == 302


def test_api_clients_pass_a_lock_with_the_code_too(client: Client) -> None:
    user = make_user("expert")
    device: TOTPDevice = make_totp_device(user)
    _lock(user.username)
    body = {"username": user.username, "password": PASSWORD}
    refused = client.post(TOKEN_URL, body, content_type="application/json")
    assert refused.status_code == 429
    wrong = client.post(
        TOKEN_URL, {**body, "otp": wrong_code(device)}, content_type="application/json"
    )
    assert wrong.status_code == 429
    # django-otp makes the next try wait a second after a wrong code; the person would.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    issued = client.post(
        TOKEN_URL, {**body, "otp": totp_code(device)}, content_type="application/json"
    )
    assert issued.status_code == 201
    key = issued.json()["token"]
    me = Client().get("/api/v1/auth/me", headers={"authorization": f"Bearer {key}"})
    assert me.status_code == 200  # the lock is over for the earlier tokens too


def test_without_a_second_factor_the_lock_holds(client: Client) -> None:
    user: User = make_user("requester")
    _lock(user.username)
    response = client.post(
        TOKEN_URL,
        {"username": user.username, "password": PASSWORD, "otp": "123456"},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert account_locked(user.username)
