from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from xietong.accounts.tokens import api_token_issue
from xietong.notifications.tests.helpers import a_membership, tell

pytestmark = pytest.mark.django_db
URL = "/api/v1/notifications"


def _api() -> tuple[Client, Any]:
    membership = a_membership()
    _, key = api_token_issue(membership=membership)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en"), membership


def test_list_count_and_mark_read() -> None:
    api, member = _api()
    first = tell(member.user_id, "First")
    tell(member.user_id, "Second")
    tell(a_membership().user_id, "Someone else's")

    listing = api.get(URL).json()
    assert (listing["count"], listing["unread"]) == (2, 2)
    assert [i["title"] for i in listing["items"]] == ["Second", "First"]
    assert api.get(f"{URL}/unread-count").json() == {"unread": 2}

    marked = api.post(f"{URL}/{first.uuid}/read")
    assert marked.status_code == 200 and marked.json() == {"marked": 1, "unread": 1}
    assert api.get(URL, {"limit": 1}).json()["items"][0]["title"] == "Second"

    assert api.post(f"{URL}/read-all").json() == {"marked": 1, "unread": 0}


def test_someone_elses_notification_is_404() -> None:
    api, _member = _api()
    theirs = tell(a_membership().user_id, "theirs")
    response = api.post(f"{URL}/{theirs.uuid}/read")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
