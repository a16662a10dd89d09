from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.models import ApiToken, User
from xietong.accounts.tests.factories import make_membership, make_totp_device, make_user
from xietong.accounts.tests.helpers import last_audit, text
from xietong.accounts.tokens import api_token_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client) -> Client:
    admin = User.objects.create_superuser("root", "root@example.org", "Root-Pass-123")
    client.force_login(admin)
    return client


def test_user_page_shows_memberships_and_devices(admin_client: Client) -> None:
    user = make_user("expert", institution__name="省人民医院")
    make_totp_device(user)
    body = text(admin_client.get(reverse("admin:accounts_user_change", args=[user.pk])))
    assert "省人民医院" in body
    assert "身份验证器" in body
    assert "phone" in body


def test_membership_admin_lists(admin_client: Client) -> None:
    make_membership(institution__name="乡镇卫生院")
    body = text(admin_client.get(reverse("admin:accounts_membership_changelist")))
    assert "乡镇卫生院" in body


def test_token_hash_is_read_only(admin_client: Client) -> None:
    user = make_user("requester")
    token, _key = api_token_issue(membership=user.memberships.get(), label="gw")
    body = text(admin_client.get(reverse("admin:accounts_apitoken_change", args=[token.pk])))
    assert token.key_hash in body  # shown
    assert 'name="key_hash"' not in body  # not editable
    assert admin_client.get(reverse("admin:accounts_apitoken_add")).status_code == 403


def test_revoke_action(admin_client: Client) -> None:
    user = make_user("requester")
    token, _key = api_token_issue(membership=user.memberships.get(), label="gw")
    response = admin_client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = last_audit("root", "token.revoke")
    assert event.detail == {"owner": user.username, "by_admin": True}
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 0


def test_admin_cannot_read_authenticator_secrets(admin_client: Client) -> None:
    user = make_user("expert")
    device = make_totp_device(user)
    body = text(admin_client.get(reverse("admin:accounts_user_change", args=[user.pk])))
    assert device.key not in body
    assert admin_client.get("/admin/otp_totp/totpdevice/").status_code == 404
