"""One base for pages (core/pages.py): signed in, acting through a membership, and the
services' refusals shown the same way on every page."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from xietong.accounts.tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.urls("xietong.core.tests.urls_for_pages")]


def _client(*roles: str) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(make_user(*roles))
    return client


def _said(response: object) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]


def test_someone_signed_out_is_sent_to_sign_in() -> None:
    answer = Client().get("/test-pages/conflict/")
    assert answer.status_code == 302 and "login" in answer["Location"]


def test_a_conflict_is_the_services_sentence_and_back_where_the_user_was() -> None:
    client = _client()
    answer = client.post("/test-pages/conflict/", headers={"referer": "http://testserver/x/"})
    assert answer.status_code == 302 and answer["Location"] == "http://testserver/x/"
    assert _said(answer) == ["Someone else has already taken this on."]


def test_a_conflict_never_sends_the_user_to_another_site() -> None:
    answer = _client().post("/test-pages/conflict/", headers={"referer": "https://evil.test/"})
    assert answer["Location"] == "/"


def test_a_validation_failure_without_a_form_is_told_field_by_field() -> None:
    answer = _client().post("/test-pages/invalid/")
    assert answer.status_code == 302 and answer["Location"] == "/test-pages/landing/"
    assert _said(answer) == ["Give a reason."]


def test_not_permitted_is_403_and_not_found_is_404() -> None:
    client = _client()
    assert client.get("/test-pages/forbidden/").status_code == 403
    assert client.get("/test-pages/missing/").status_code == 404


def test_a_page_for_some_roles_refuses_the_others() -> None:
    assert _client("requester").get("/test-pages/coordinators/").status_code == 403
    assert _client("coordinator").get("/test-pages/coordinators/").status_code == 200
