from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.tests.factories import make_user
from xietong.accounts.tests.helpers import audit_actions, last_audit, text
from xietong.core.models import AuditOutcome

pytestmark = pytest.mark.django_db


def test_sign_in_page_speaks_chinese_by_default(client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "登录" in text(response)


def test_right_password_signs_in_and_is_audited(client: Client, sign_in) -> None:
    user = make_user("requester")
    response = sign_in(user.username)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    event = last_audit(user.username, "login.success")
    assert event.user_id == user.pk
    assert event.outcome == AuditOutcome.SUCCESS


def test_sign_in_returns_to_the_page_asked_for(client: Client, sign_in) -> None:
    user = make_user("requester")
    response = sign_in(user.username, next=reverse("accounts:account"))
    assert response["Location"] == reverse("accounts:account")


def test_wrong_password_is_refused_in_chinese_and_audited(client: Client, sign_in) -> None:
    user = make_user("requester")
    response = sign_in(user.username, "Wrong-password-1")
    assert response.status_code == 200
    assert "密码" in text(response)
    assert "_auth_user_id" not in client.session
    event = last_audit(user.username, "login.failure")
    assert event.user_id is None
    assert event.outcome == AuditOutcome.MINOR_FAILURE
    assert event.detail == {"reason": "credentials"}


def test_wrong_password_message_in_english_when_asked(client: Client) -> None:
    user = make_user("requester")
    response = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": "nope"},
        headers={"accept-language": "en"},
    )
    assert "Please enter a correct username and password" in text(response)


def test_inactive_user_cannot_sign_in(client: Client, sign_in) -> None:
    user = make_user("requester")
    user.is_active = False
    user.save()
    sign_in(user.username)
    assert "_auth_user_id" not in client.session


def test_sign_out_ends_the_session_and_is_audited(client: Client, sign_in) -> None:
    user = make_user("requester")
    sign_in(user.username)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302
    assert audit_actions(user.username)[-1] == "login.logout"
    assert last_audit(user.username, "login.logout").detail == {"reason": "user"}


def test_pages_need_sign_in(client: Client) -> None:
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
