"""Bad input and failures answer with a page in the person's language (JSON under /api/),
never a stack trace, never a 500 for something the request did wrong."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from xietong.accounts.models import User
from xietong.accounts.tests.factories import make_actor

pytestmark = [pytest.mark.django_db, pytest.mark.urls("xietong.core.tests.urls_for_errors")]


def _client(language: str = "en", *, enforce_csrf_checks: bool = False) -> Client:
    return Client(
        headers={"accept-language": language},
        raise_request_exception=False,
        enforce_csrf_checks=enforce_csrf_checks,
    )


def _json(response: Any) -> dict[str, object]:
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, object] = json.loads(response.content)
    return body


def test_unknown_page_is_404_in_chinese_by_default() -> None:
    response = _client(language="zh-hans").get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "此页面不存在，或您无权访问。" in html
    assert 'lang="zh-hans"' in html


def test_unknown_page_is_404_in_english_when_asked() -> None:
    response = _client().get("/no/such/page/")
    assert response.status_code == 404
    assert "This page does not exist, or you do not have access to it." in response.content.decode()


def test_unknown_page_for_a_signed_in_user_keeps_their_navigation() -> None:
    actor = make_actor("platform_admin")
    client = _client()
    client.force_login(User.objects.get(pk=actor.user_id))
    html = client.get("/no/such/page/").content.decode()
    assert "This page does not exist" in html
    assert 'href="/audit/"' in html


def test_unknown_api_url_is_json_404() -> None:
    response = _client().get("/api/v1/no/such/thing")
    assert response.status_code == 404
    assert _json(response) == {"code": "not_found", "message": "Not found."}


def test_unknown_api_url_message_is_in_chinese_by_default() -> None:
    response = _client(language="zh-hans").get("/api/v1/no/such/thing")
    assert _json(response) == {"code": "not_found", "message": "未找到。"}


def test_a_bug_is_a_500_page_without_details() -> None:
    response = _client().get("/test-errors/fails/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side." in html
    assert "a bug" not in html and "Traceback" not in html


def test_a_bug_under_api_is_json_500() -> None:
    response = _client().get("/api/test-errors/fails/")
    assert response.status_code == 500
    assert _json(response) == {
        "code": "server_error",
        "message": "Something went wrong on our side.",
    }


def test_forbidden_is_a_403_page() -> None:
    response = _client().get("/test-errors/refuses/")
    assert response.status_code == 403
    assert "You do not have permission to do this." in response.content.decode()


def test_suspicious_request_is_a_400_page() -> None:
    response = _client().get("/test-errors/suspicious/")
    assert response.status_code == 400
    assert "The request could not be understood." in response.content.decode()


def test_too_many_form_fields_is_a_400_page_not_a_500() -> None:
    fields = {f"f{i}": "x" for i in range(1100)}
    response = _client().post("/test-errors/form/", fields)
    assert response.status_code == 400
    assert "The request could not be understood." in response.content.decode()


def test_form_without_csrf_token_gets_a_clear_403_page() -> None:
    response = _client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "This form has expired or was sent from another site." in html
    assert "CSRF cookie not set" not in html  # the technical reason stays in the log


def test_csrf_failure_under_api_is_json() -> None:
    response = _client(enforce_csrf_checks=True).post("/api/test-errors/form/", {"a": "b"})
    assert response.status_code == 403
    body = _json(response)
    assert body["code"] == "csrf_failed"
    assert body["message"]


def test_oversized_form_is_413_with_the_limit(settings) -> None:
    settings.XT_UPLOAD_MAX_MB = 1
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = _client().post("/test-errors/form/", {"note": "x" * (1024 * 1024 + 10)})
    assert response.status_code == 413
    assert "The request is too large. The limit is 1 MB." in response.content.decode()


def test_oversized_form_is_413_even_before_the_csrf_check_reads_it(settings) -> None:
    # A browser's post meets the CSRF check first, which reads the body before any view.
    settings.XT_UPLOAD_MAX_MB = 1
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    client = _client(enforce_csrf_checks=True)
    client.get("/accounts/login/")  # as a browser would: the form sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/accounts/login/", {"csrfmiddlewaretoken": token, "username": "x" * (1024 * 1024 + 10)}
    )
    assert response.status_code == 413
    assert "The request is too large. The limit is 1 MB." in response.content.decode()


def test_oversized_body_under_api_is_json_413(settings) -> None:
    settings.XT_UPLOAD_MAX_MB = 1
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = _client().post("/api/test-errors/form/", {"note": "x" * (1024 * 1024 + 10)})
    assert response.status_code == 413
    assert _json(response) == {
        "code": "too_large",
        "message": "The request is too large. The limit is 1 MB.",
    }


def test_oversized_json_to_a_real_api_operation_is_json_413(settings) -> None:
    settings.XT_UPLOAD_MAX_MB = 1
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    big = json.dumps({"username": "x" * (1024 * 1024 + 10), "password": "y"})
    response = _client().post("/api/v1/auth/token", big, content_type="application/json")
    assert response.status_code == 413
    assert _json(response)["code"] == "too_large"
