from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.tests.factories import make_user
from xietong.accounts.tests.helpers import last_audit, text

pytestmark = pytest.mark.django_db

LAST_SEEN = "xt_last_seen"


def _seen_minutes_ago(client: Client, minutes: int) -> None:
    session = client.session
    session[LAST_SEEN] = int(time.time()) - minutes * 60
    session.save()


def test_session_ends_after_thirty_idle_minutes(client: Client, sign_in) -> None:
    user = make_user("requester")
    sign_in(user.username)
    assert client.get(reverse("home")).status_code == 200
    _seen_minutes_ago(client, 31)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert "由于长时间未操作" in text(response)
    assert "_auth_user_id" not in client.session
    assert last_audit(user.username, "login.logout").detail == {"reason": "idle"}


def test_activity_within_thirty_minutes_keeps_the_session(client: Client, sign_in) -> None:
    user = make_user("requester")
    sign_in(user.username)
    _seen_minutes_ago(client, 29)
    assert client.get(reverse("home")).status_code == 200
    # The request moved the clock forward again.
    assert int(time.time()) - client.session[LAST_SEEN] < 29 * 60


def test_timeout_follows_the_setting(client: Client, sign_in, settings) -> None:
    settings.XT_IDLE_TIMEOUT_SECONDS = 5 * 60
    user = make_user("requester")
    sign_in(user.username)
    _seen_minutes_ago(client, 6)
    assert client.get(reverse("home")).status_code == 302


def test_idle_api_session_is_refused(client: Client, sign_in) -> None:
    user = make_user("requester")
    sign_in(user.username)
    assert client.get("/api/v1/auth/me").status_code == 200
    _seen_minutes_ago(client, 31)
    assert client.get("/api/v1/auth/me").status_code == 401
