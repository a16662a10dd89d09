from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.models import ApiToken
from xietong.accounts.tests.factories import make_membership, make_user
from xietong.accounts.tests.helpers import last_audit, text

pytestmark = pytest.mark.django_db

PAGE = "accounts:account"


def test_everyone_sees_my_account_in_the_menu(client: Client) -> None:
    user = make_user("learner")
    client.force_login(user)
    body = text(client.get(reverse("home")))
    assert f'href="{reverse(PAGE)}"' in body
    assert "我的账户" in body


def test_page_lists_memberships_and_the_one_acting(client: Client) -> None:
    user = make_user("requester", institution__name="甲县人民医院")
    make_membership(user=user, roles=["expert"], institution__name="省人民医院")
    make_membership(user=user, roles=["qc"], institution__name="停用医院", active=False)
    client.force_login(user)
    body = text(client.get(reverse(PAGE)))
    assert "甲县人民医院" in body
    assert "省人民医院" in body
    assert "停用医院" not in body
    assert body.count("正在代表") == 1
    assert body.count('type="hidden" name="membership"') == 1  # a switch for the other one


def test_page_offers_two_factor_and_password(client: Client) -> None:
    user = make_user("requester")
    client.force_login(user)
    body = text(client.get(reverse(PAGE)))
    assert reverse("accounts:totp_setup") in body
    assert reverse("accounts:password_change") in body


def test_issue_token_shows_it_once(client: Client) -> None:
    user = make_user("institution_admin")
    client.force_login(user)
    response = client.post(reverse("accounts:token_issue"), {"label": "影像网关"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=user)
    body = text(response)
    key = body.split('<code class="secret">')[1].split("</code>")[0]
    assert key.startswith(token.prefix)
    assert "仅显示这一次" in body
    assert response["Cache-Control"] == "no-store"
    # Later the list names it by label and prefix only.
    later = text(client.get(reverse(PAGE)))
    assert "影像网关" in later
    assert token.prefix in later
    assert key not in later
    # And it works.
    me = Client().get("/api/v1/auth/me", headers={"authorization": f"Bearer {key}"})
    assert me.status_code == 200
    assert last_audit(user.username, "token.issue").resource_id == str(token.pk)


def test_token_is_for_the_acting_membership(client: Client) -> None:
    user = make_user("institution_admin")
    second = make_membership(user=user, roles=["institution_admin"])
    client.force_login(user)
    client.post(reverse("accounts:switch_membership"), {"membership": second.pk})
    client.post(reverse("accounts:token_issue"), {"label": "x"})
    assert ApiToken.objects.get(user=user).membership_id == second.pk


def test_token_needs_a_label(client: Client) -> None:
    user = make_user("institution_admin")
    client.force_login(user)
    response = client.post(reverse("accounts:token_issue"), {"label": "  "})
    assert response.status_code == 422
    assert "此项为必填项" in text(response)
    assert not ApiToken.objects.exists()


def test_revoke_token_from_the_page(client: Client) -> None:
    user = make_user("institution_admin")
    client.force_login(user)
    client.post(reverse("accounts:token_issue"), {"label": "旧脚本"})
    token = ApiToken.objects.get(user=user)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]), follow=True)
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "已撤销" in text(response)
    assert last_audit(user.username, "token.revoke").resource_id == str(token.pk)


def test_cannot_revoke_someone_elses_token(client: Client) -> None:
    owner = make_user("institution_admin")
    client.force_login(owner)
    client.post(reverse("accounts:token_issue"), {"label": "mine"})
    token = ApiToken.objects.get(user=owner)
    intruder = make_user("requester")
    client.force_login(intruder)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_privileged_user_is_urged_to_enrol(client: Client) -> None:
    user = make_user("supervisor")
    client.force_login(user)
    body = text(client.get(reverse(PAGE)))
    assert "请开启" in body


def test_page_works_without_membership(client: Client) -> None:
    from xietong.accounts.tests.factories import make_plain_user

    user = make_plain_user()
    client.force_login(user)
    response = client.get(reverse(PAGE))
    assert response.status_code == 200
    assert "您目前不是任何机构的有效成员" in text(response)
    assert reverse("accounts:token_issue") not in text(response)


def test_a_clinician_is_not_offered_api_tokens(client: Client) -> None:
    # Doctors work in the pages; tokens are for the administrators who connect programs.
    user = make_user("requester")
    client.force_login(user)
    body = text(client.get(reverse(PAGE)))
    assert reverse("accounts:token_issue") not in body
    assert "API 令牌" not in body
    response = client.post(reverse("accounts:token_issue"), {"label": "脚本"})
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_an_administrator_is_offered_api_tokens(client: Client) -> None:
    user = make_user("institution_admin")
    client.force_login(user)
    body = text(client.get(reverse(PAGE)))
    assert reverse("accounts:token_issue") in body
