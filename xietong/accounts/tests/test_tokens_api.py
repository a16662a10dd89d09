from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from xietong.accounts.models import ApiToken
from xietong.accounts.tests.factories import (
    PASSWORD,
    make_membership,
    make_plain_user,
    make_totp_device,
    make_user,
    totp_code,
    wrong_code,
)
from xietong.accounts.tests.helpers import audit_actions, last_audit

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"


def _issue(client: Client, headers: dict[str, str] | None = None, **body: Any):
    return client.post(TOKEN_URL, body, content_type="application/json", headers=headers or {})


def _bearer(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def test_issue_token_and_use_it(client: Client) -> None:
    user = make_user("requester", institution__name="县人民医院")
    response = _issue(client, username=user.username, password=PASSWORD, label="PACS")
    assert response.status_code == 201
    data = response.json()
    membership = user.memberships.get()
    assert data["membership"] == {
        "id": membership.pk,
        "institution": "县人民医院",
        "roles": ["requester"],
    }
    assert data["token"].startswith("xt_")
    assert data["expires_at"]
    me = Client().get("/api/v1/auth/me", headers=_bearer(data["token"]))
    assert me.status_code == 200
    assert me.json() == {
        "username": user.username,
        "display_name": user.display_name,
        "membership_id": membership.pk,
        "institution": "县人民医院",
        "roles": ["requester"],
    }
    token = ApiToken.objects.get(user=user)
    assert token.label == "PACS"
    assert data["token"] not in (token.key_hash, token.prefix)
    assert last_audit(user.username, "token.issue").resource_id == str(token.pk)


def test_token_endpoint_needs_no_csrf_token() -> None:
    user = make_user("requester")
    client = Client(enforce_csrf_checks=True)
    assert _issue(client, username=user.username, password=PASSWORD).status_code == 201


def test_wrong_password_is_401_in_chinese(client: Client) -> None:
    user = make_user("requester")
    response = _issue(client, username=user.username, password="Wrong-1-wrong")
    assert response.status_code == 401
    assert response.json() == {"code": "invalid_credentials", "message": "用户名或密码不正确。"}
    assert not ApiToken.objects.exists()
    assert last_audit(user.username, "login.failure").detail == {"reason": "credentials"}


def test_wrong_password_in_english_when_asked(client: Client) -> None:
    response = _issue(
        client, headers={"accept-language": "en"}, username="nobody", password="Wrong-1-wrong"
    )
    assert response.status_code == 401
    assert response.json()["message"] == "The username or the password is not right."


def test_api_failures_lock_the_account(client: Client) -> None:
    user = make_user("requester")
    codes = [
        _issue(client, username=user.username, password="Wrong-1").status_code for _ in range(5)
    ]
    assert codes == [401, 401, 401, 401, 429]
    response = _issue(client, username=user.username, password=PASSWORD)
    assert response.status_code == 429
    assert response.json()["code"] == "locked"
    assert "锁定" in response.json()["message"]
    assert not ApiToken.objects.exists()
    assert "login.lockout" in audit_actions(user.username)


def test_web_and_api_failures_count_together(client: Client, sign_in) -> None:
    user = make_user("requester")
    for _ in range(3):
        sign_in(user.username, "Wrong-1")
    for _ in range(2):
        _issue(client, username=user.username, password="Wrong-1")
    assert _issue(client, username=user.username, password=PASSWORD).status_code == 429


def test_privileged_user_without_otp_when_required(client: Client, settings) -> None:
    settings.XT_REQUIRE_2FA = True
    user = make_user("expert")
    response = _issue(client, username=user.username, password=PASSWORD)
    assert response.status_code == 401
    assert response.json()["code"] == "otp_required"
    make_totp_device(user)
    response = _issue(client, username=user.username, password=PASSWORD)
    assert response.status_code == 401
    assert response.json()["code"] == "otp_required"
    assert not ApiToken.objects.exists()


def test_wrong_otp_is_refused(client: Client, settings) -> None:
    settings.XT_REQUIRE_2FA = True
    user = make_user("expert")
    device = make_totp_device(user)
    response = _issue(client, username=user.username, password=PASSWORD, otp=wrong_code(device))
    assert response.status_code == 401
    assert response.json()["code"] == "otp_invalid"
    assert not ApiToken.objects.exists()


def test_right_otp_gives_a_token(client: Client, settings) -> None:
    settings.XT_REQUIRE_2FA = True
    user = make_user("expert")
    device = make_totp_device(user)
    response = _issue(client, username=user.username, password=PASSWORD, otp=totp_code(device))
    assert response.status_code == 201


def test_voluntarily_enrolled_user_needs_otp_too(client: Client) -> None:
    user = make_user("requester")
    make_totp_device(user)
    response = _issue(client, username=user.username, password=PASSWORD)
    assert response.json()["code"] == "otp_required"


def test_token_for_a_chosen_membership(client: Client) -> None:
    user = make_user("requester")
    second = make_membership(user=user, roles=["expert"])
    response = _issue(client, username=user.username, password=PASSWORD, membership_id=second.pk)
    assert response.status_code == 201
    assert response.json()["membership"]["id"] == second.pk
    assert response.json()["membership"]["roles"] == ["expert"]


def test_someone_elses_membership_is_422(client: Client) -> None:
    user = make_user("requester")
    other = make_membership()
    response = _issue(client, username=user.username, password=PASSWORD, membership_id=other.pk)
    assert response.status_code == 422
    body = response.json()
    assert body["fields"]["membership_id"] == ["该成员身份不属于您或已停用。"]
    assert not ApiToken.objects.exists()


def test_inactive_membership_is_422(client: Client) -> None:
    user = make_user("requester")
    inactive = make_membership(user=user, active=False)
    response = _issue(client, username=user.username, password=PASSWORD, membership_id=inactive.pk)
    assert response.status_code == 422


def test_user_without_membership_gets_no_token(client: Client) -> None:
    user = make_plain_user()
    response = _issue(client, username=user.username, password=PASSWORD)
    assert response.status_code == 403
    assert response.json()["code"] == "no_membership"


def test_missing_fields_are_422(client: Client) -> None:
    response = _issue(client, username="someone")
    assert response.status_code == 422
    assert "password" in response.json()["fields"]


def _token_for(user) -> str:
    response = _issue(Client(), username=user.username, password=PASSWORD)
    assert response.status_code == 201
    return str(response.json()["token"])


def test_list_shows_own_tokens_without_secrets(client: Client) -> None:
    user = make_user("requester")
    key = _token_for(user)
    _token_for(user)
    _token_for(make_user("requester"))  # someone else's
    response = client.get("/api/v1/auth/tokens", headers=_bearer(key))
    assert response.status_code == 200
    items = response.json()
    assert len(items) == 2
    assert {i["id"] for i in items} == set(
        ApiToken.objects.filter(user=user).values_list("pk", flat=True)
    )
    raw = response.content.decode()
    for token in ApiToken.objects.filter(user=user):
        assert token.key_hash not in raw
    assert key not in raw
    assert "key_hash" not in items[0]


def test_revoke_own_token(client: Client) -> None:
    user = make_user("requester")
    key = _token_for(user)
    victim_key = _token_for(user)
    victim = ApiToken.objects.filter(user=user).order_by("-id").first()
    assert victim is not None
    response = client.delete(f"/api/v1/auth/tokens/{victim.pk}", headers=_bearer(key))
    assert response.status_code == 204
    assert client.get("/api/v1/auth/me", headers=_bearer(victim_key)).status_code == 401
    assert client.get("/api/v1/auth/me", headers=_bearer(key)).status_code == 200
    assert last_audit(user.username, "token.revoke").resource_id == str(victim.pk)


def test_revoking_another_users_token_is_404(client: Client) -> None:
    user = make_user("requester")
    other = make_user("requester")
    key = _token_for(user)
    other_key = _token_for(other)
    other_token = ApiToken.objects.get(user=other)
    response = client.delete(f"/api/v1/auth/tokens/{other_token.pk}", headers=_bearer(key))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert client.get("/api/v1/auth/me", headers=_bearer(other_key)).status_code == 200


def test_expired_token_is_401(client: Client) -> None:
    user = make_user("requester")
    key = _token_for(user)
    ApiToken.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/auth/me", headers=_bearer(key))
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_unknown_token_is_401(client: Client) -> None:
    assert client.get("/api/v1/auth/me", headers=_bearer("xt_nonsense")).status_code == 401


def test_token_of_a_deactivated_membership_is_401(client: Client) -> None:
    user = make_user("requester")
    key = _token_for(user)
    user.memberships.update(active=False)
    assert client.get("/api/v1/auth/me", headers=_bearer(key)).status_code == 401


def test_session_may_list_and_revoke_with_csrf(sign_in) -> None:
    user = make_user("requester")
    _token_for(user)
    client = Client(enforce_csrf_checks=True)
    from django.urls import reverse

    client.get(reverse("accounts:login"))
    client.post(
        reverse("accounts:login"),
        {
            "username": user.username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert len(client.get("/api/v1/auth/tokens").json()) == 1
    token = ApiToken.objects.get(user=user)
    assert client.delete(f"/api/v1/auth/tokens/{token.pk}").status_code == 403
    csrf = client.cookies["csrftoken"].value
    response = client.delete(f"/api/v1/auth/tokens/{token.pk}", headers={"x-csrftoken": csrf})
    assert response.status_code == 204


def test_a_token_request_reads_token_person_and_lock_in_one_query(
    django_assert_num_queries: Any,
) -> None:
    user = make_user("requester", institution__name="县人民医院")
    key = _token_for(user)
    client = Client()
    assert client.get("/api/v1/auth/me", headers=_bearer(key)).status_code == 200  # marks use
    with django_assert_num_queries(1):
        me = client.get("/api/v1/auth/me", headers=_bearer(key))
    assert me.json()["institution"] == "县人民医院"
