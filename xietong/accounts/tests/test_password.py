from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.models import User
from xietong.accounts.tests.factories import PASSWORD, make_user
from xietong.accounts.tests.helpers import last_audit, text

pytestmark = pytest.mark.django_db

URL = "accounts:password_change"


def _change(client: Client, old: str, new: str, again: str | None = None):
    return client.post(
        reverse(URL),
        {"old_password": old, "new_password1": new, "new_password2": again or new},
    )


def test_page_explains_the_rules(client: Client, sign_in) -> None:
    user = make_user("requester")
    sign_in(user.username)
    body = text(client.get(reverse(URL)))
    assert "修改密码" in body
    assert "小写字母、大写字母、数字和符号" in body


def test_too_simple_password_is_refused_in_chinese(client: Client, sign_in) -> None:
    user = make_user("requester")
    sign_in(user.username)
    response = _change(client, PASSWORD, "simplepassword42")
    assert response.status_code == 200
    assert "密码必须至少包含以下三类" in text(response)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_too_short_password_is_refused(client: Client, sign_in) -> None:
    user = make_user("requester")
    sign_in(user.username)
    response = _change(client, PASSWORD, "Ab1!x")
    assert response.status_code == 200
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)
    assert "密码长度太短" in text(response)


def test_wrong_old_password_is_refused(client: Client, sign_in) -> None:
    user = make_user("requester")
    sign_in(user.username)
    response = _change(client, "Not-The-Old-1", "Better-Horse-Staple-9")
    assert response.status_code == 200
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


def test_password_change_keeps_the_session_and_is_audited(client: Client, sign_in) -> None:
    user = make_user("requester")
    sign_in(user.username)
    response = _change(client, PASSWORD, "Better-Horse-Staple-9")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:account")
    assert User.objects.get(pk=user.pk).check_password("Better-Horse-Staple-9")
    assert "密码已修改" in text(client.get(reverse("accounts:account")))
    assert last_audit(user.username, "password.change").user_id == user.pk


def test_complexity_applies_wherever_a_password_is_set() -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("alllowercaseletters")
    validate_password("Mixed-Case-42x")
