from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.tests.factories import make_totp_device, make_user
from xietong.accounts.tests.helpers import text

pytestmark = pytest.mark.django_db

CARD = "设置两步验证登录"


def test_privileged_user_without_device_sees_the_card(client: Client) -> None:
    client.force_login(make_user("coordinator"))
    body = text(client.get(reverse("home")))
    assert CARD in body
    assert reverse("accounts:totp_setup") in body


def test_ordinary_user_does_not(client: Client) -> None:
    client.force_login(make_user("requester"))
    assert CARD not in text(client.get(reverse("home")))


def test_card_goes_once_enrolled(client: Client, sign_in) -> None:
    from xietong.accounts.tests.factories import totp_code

    user = make_user("expert")
    device = make_totp_device(user)
    sign_in(user.username)
    client.post(reverse("accounts:otp_verify"), {"code": totp_code(device)})
    assert CARD not in text(client.get(reverse("home")))
