from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.tests.factories import PASSWORD, make_user
from xietong.accounts.tests.helpers import audit_actions, text
from xietong.core.models import AuditEvent, AuditOutcome

pytestmark = pytest.mark.django_db

WRONG = "Wrong-Password-7"


def _fail(sign_in, username: str, times: int) -> list[int]:
    return [sign_in(username, WRONG).status_code for _ in range(times)]


def test_fifth_failure_locks_the_account(client: Client, sign_in) -> None:
    user = make_user("requester")
    codes = _fail(sign_in, user.username, 5)
    assert codes == [200, 200, 200, 200, 429]


def test_right_password_is_refused_while_locked(client: Client, sign_in) -> None:
    user = make_user("requester")
    _fail(sign_in, user.username, 5)
    response = sign_in(user.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302


def test_lock_message_is_in_chinese_by_default(client: Client, sign_in) -> None:
    user = make_user("requester")
    _fail(sign_in, user.username, 5)
    body = text(sign_in(user.username, PASSWORD))
    assert "账户已锁定" in body
    assert "30 分钟" in body


def test_lock_message_in_english_when_asked(client: Client) -> None:
    user = make_user("requester")
    for _ in range(5):
        response = client.post(
            reverse("accounts:login"),
            {"username": user.username, "password": WRONG},
            headers={"accept-language": "en"},
        )
    assert response.status_code == 429
    assert "locked for 30 minutes" in text(response)


def test_lock_is_per_account(client: Client, sign_in) -> None:
    locked = make_user("requester")
    other = make_user("requester")
    _fail(sign_in, locked.username, 5)
    response = sign_in(other.username, PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_four_failures_then_success_resets_the_count(client: Client, sign_in) -> None:
    user = make_user("requester")
    _fail(sign_in, user.username, 4)
    assert sign_in(user.username, PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    assert _fail(sign_in, user.username, 4) == [200, 200, 200, 200]
    assert sign_in(user.username, PASSWORD).status_code == 302


def test_lock_is_audited_once_and_refused_attempts_each_time(client: Client, sign_in) -> None:
    user = make_user("requester")
    _fail(sign_in, user.username, 5)
    sign_in(user.username, PASSWORD)
    sign_in(user.username, PASSWORD)
    actions = audit_actions(user.username)
    assert actions.count("login.lockout") == 1
    assert actions.count("login.failure") == 7
    lockout = AuditEvent.objects.get(username=user.username, action="login.lockout")
    assert lockout.outcome == AuditOutcome.SERIOUS_FAILURE
    refused = AuditEvent.objects.filter(username=user.username, action="login.failure").order_by(
        "-seq"
    )[:2]
    assert [e.detail["reason"] for e in refused] == ["locked", "locked"]
    assert "login.success" not in actions
