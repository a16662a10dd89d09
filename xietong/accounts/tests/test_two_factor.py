from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from xietong.accounts.models import User
from xietong.accounts.tests.factories import (
    PASSWORD,
    make_totp_device,
    make_user,
    totp_code,
    wrong_code,
)
from xietong.accounts.tests.helpers import audit_actions, last_audit, text
from xietong.core.models import AuditOutcome

pytestmark = pytest.mark.django_db


@pytest.fixture
def require_2fa(settings):
    settings.XT_REQUIRE_2FA = True


def _pending_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    return device


# --- when XT_REQUIRE_2FA is on, a privileged role must enrol, then give a code -----------


def test_privileged_user_without_device_is_taken_to_enrolment(
    client: Client, sign_in, require_2fa
) -> None:
    user = make_user("expert")
    response = sign_in(user.username, next=reverse("accounts:account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:totp_setup"))

    page = client.get(response["Location"])
    assert page.status_code == 200
    body = text(page)
    assert "<svg" in body  # the QR code, inline
    device = _pending_device(user)
    from xietong.accounts.two_factor import totp_secret_text

    assert totp_secret_text(device) in body  # the secret as text too
    assert last_audit(user.username, "login.password").detail == {"second_factor": "pending"}


def test_enrolment_cannot_be_skipped(client: Client, sign_in, require_2fa) -> None:
    user = make_user("coordinator")
    sign_in(user.username)
    for name in ("home", "accounts:account", "accounts:password_change"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:totp_setup"))
    # Nor the JSON API with the session.
    assert client.get("/api/v1/auth/me").status_code == 401
    # The set-up page itself acts for no institution: no menu, no membership switch.
    body = text(client.get(reverse("accounts:totp_setup")))
    assert f'href="{reverse("accounts:account")}"' not in body
    assert reverse("accounts:switch_membership") not in body


def test_htmx_requests_are_sent_to_enrolment_too(client: Client, sign_in, require_2fa) -> None:
    user = make_user("supervisor")
    sign_in(user.username)
    response = client.get(reverse("home"), headers={"hx-request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("accounts:totp_setup"))


def test_enrolment_with_wrong_code_is_refused(client: Client, sign_in, require_2fa) -> None:
    user = make_user("expert")
    sign_in(user.username)
    client.get(reverse("accounts:totp_setup"))
    device = _pending_device(user)
    response = client.post(reverse("accounts:totp_setup"), {"code": wrong_code(device)})
    assert response.status_code == 200
    assert "验证码不正确" in text(response)
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("home")).status_code == 302


def test_enrolment_with_right_code_completes_sign_in(client: Client, sign_in, require_2fa) -> None:
    user = make_user("expert")
    sign_in(user.username)
    setup = reverse("accounts:totp_setup") + "?next=" + reverse("accounts:account")
    client.get(setup)
    device = _pending_device(user)
    response = client.post(setup, {"code": totp_code(device)})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:account")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200
    actions = audit_actions(user.username)
    assert actions[-2:] == ["totp.enrol", "login.success"]


def test_reloading_setup_keeps_the_same_secret(client: Client, sign_in, require_2fa) -> None:
    user = make_user("expert")
    sign_in(user.username)
    client.get(reverse("accounts:totp_setup"))
    first = _pending_device(user).key
    client.get(reverse("accounts:totp_setup"))
    assert _pending_device(user).key == first


def test_enrolled_user_must_enter_code_after_password(client: Client, sign_in, require_2fa) -> None:
    user = make_user("expert")
    device = make_totp_device(user)
    response = sign_in(user.username)
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:otp_verify"))

    response = client.post(reverse("accounts:otp_verify"), {"code": totp_code(device)})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert last_audit(user.username, "login.success").detail == {"second_factor": "totp"}


def test_wrong_code_is_refused_and_audited(client: Client, sign_in, require_2fa) -> None:
    user = make_user("expert")
    device = make_totp_device(user)
    sign_in(user.username)
    response = client.post(reverse("accounts:otp_verify"), {"code": wrong_code(device)})
    assert response.status_code == 200
    assert "验证码不正确或已过期" in text(response)
    assert client.get(reverse("home")).status_code == 302
    event = last_audit(user.username, "login.failure")
    assert event.detail == {"reason": "otp"}
    assert event.outcome == AuditOutcome.MINOR_FAILURE


def test_a_code_cannot_be_used_twice(client: Client, sign_in) -> None:
    user = make_user("requester")
    device = make_totp_device(user)
    code = totp_code(device)
    sign_in(user.username)
    assert client.post(reverse("accounts:otp_verify"), {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    sign_in(user.username)
    response = client.post(reverse("accounts:otp_verify"), {"code": code})
    assert response.status_code == 200
    assert client.get(reverse("home")).status_code == 302


def test_many_wrong_codes_make_the_user_wait(client: Client, sign_in) -> None:
    user = make_user("requester")
    device = make_totp_device(user)
    sign_in(user.username)
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=10, throttling_failure_timestamp=device.created_at
    )
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=_now())
    response = client.post(reverse("accounts:otp_verify"), {"code": totp_code(device)})
    assert "错误次数过多" in text(response)
    assert client.get(reverse("home")).status_code == 302


def _now():
    from django.utils import timezone

    return timezone.now()


def test_a_session_pending_its_code_may_sign_out(client: Client, sign_in, require_2fa) -> None:
    user = make_user("expert")
    make_totp_device(user)
    sign_in(user.username)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_admin_sign_in_is_held_at_the_second_step(client: Client, require_2fa) -> None:
    user = make_user("requester")
    user.is_staff = True
    user.save()
    client.post(reverse("admin:login"), {"username": user.username, "password": PASSWORD})
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:totp_setup"))


def test_non_privileged_user_is_not_asked(client: Client, sign_in, require_2fa) -> None:
    user = make_user("requester", "learner")
    response = sign_in(user.username)
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_privileged_role_in_any_active_membership_counts(
    client: Client, sign_in, require_2fa
) -> None:
    from xietong.accounts.tests.factories import make_membership

    user = make_user("requester")
    make_membership(user=user, roles=["supervisor"])
    response = sign_in(user.username)
    assert response["Location"].startswith(reverse("accounts:totp_setup"))


def test_inactive_privileged_membership_does_not_count(
    client: Client, sign_in, require_2fa
) -> None:
    from xietong.accounts.tests.factories import make_membership

    user = make_user("requester")
    make_membership(user=user, roles=["platform_admin"], active=False)
    assert sign_in(user.username)["Location"] == reverse("home")


# --- when XT_REQUIRE_2FA is off, enrolling is a choice, and then it is asked for ---------


def test_without_requirement_privileged_user_signs_in_with_password(
    client: Client, sign_in
) -> None:
    user = make_user("expert")
    assert sign_in(user.username)["Location"] == reverse("home")


def test_voluntary_enrolment_then_sign_in_asks_for_code(client: Client, sign_in) -> None:
    user = make_user("requester")
    sign_in(user.username)
    page = client.get(reverse("accounts:account"))
    assert reverse("accounts:totp_setup") in text(page)
    client.get(reverse("accounts:totp_setup"))
    device = _pending_device(user)
    response = client.post(reverse("accounts:totp_setup"), {"code": totp_code(device)})
    assert response["Location"] == reverse("accounts:account")
    assert client.get(reverse("accounts:account")).status_code == 200
    assert "totp.enrol" in audit_actions(user.username)

    client.post(reverse("accounts:logout"))
    response = sign_in(user.username)
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    client.post(reverse("accounts:otp_verify"), {"code": totp_code(device)})
    assert client.get(reverse("home")).status_code == 200


def test_setup_page_sends_an_enrolled_user_back(client: Client) -> None:
    user = make_user("requester")
    make_totp_device(user)
    client.force_login(user)
    # force_login stands for a session that passed both steps earlier.
    from django_otp import DEVICE_ID_SESSION_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    response = client.get(reverse("accounts:totp_setup"))
    assert response["Location"] == reverse("accounts:account")


@pytest.mark.parametrize(
    ("language", "names"),
    [
        (
            "zh-hans",
            [
                "腾讯身份验证器（App 或微信小程序）",
                "阿里云 App（“虚拟 MFA”）",
                "Microsoft Authenticator",
                "FreeOTP",
            ],
        ),
        (
            "en",
            ["Tencent Authenticator", "Alibaba Cloud app", "Microsoft Authenticator", "FreeOTP"],
        ),
    ],
)
def test_setup_page_names_authenticator_apps_that_work_in_china(
    client: Client, sign_in, language: str, names: list[str]
) -> None:
    # Google's app is not in Chinese app stores: the page names ones a doctor can install.
    user = make_user("requester")
    sign_in(user.username)
    client.cookies["django_language"] = language
    body = text(client.get(reverse("accounts:totp_setup")))
    apps = body[body.index('id="authenticator-apps"') :]
    apps = apps[: apps.index("</ul>")]
    for name in names:
        assert name in apps
    assert "Google" not in body


# --- turning it off needs a current code or the password ---------------------------------


def _enrolled_and_signed_in(client: Client, sign_in) -> tuple[User, TOTPDevice]:
    user = make_user("requester")
    device = make_totp_device(user)
    sign_in(user.username)
    client.post(reverse("accounts:otp_verify"), {"code": totp_code(device)})
    return user, device


def test_disable_without_proof_is_refused(client: Client, sign_in) -> None:
    user, _device = _enrolled_and_signed_in(client, sign_in)
    response = client.post(
        reverse("accounts:totp_disable"), {"code": "", "password": ""}, follow=True
    )
    assert "请输入" in text(response)
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_disable_with_wrong_password_is_refused(client: Client, sign_in) -> None:
    user, _device = _enrolled_and_signed_in(client, sign_in)
    response = client.post(
        reverse("accounts:totp_disable"), {"password": "Not-my-password-9"}, follow=True
    )
    assert "不正确" in text(response)
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert last_audit(user.username, "totp.disable").outcome == AuditOutcome.MINOR_FAILURE


def test_disable_with_password(client: Client, sign_in) -> None:
    user, _device = _enrolled_and_signed_in(client, sign_in)
    response = client.post(reverse("accounts:totp_disable"), {"password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=user).exists()
    event = last_audit(user.username, "totp.disable")
    assert event.outcome == AuditOutcome.SUCCESS
    assert event.detail == {"proof": "password"}
    # Next sign-in asks only for the password.
    client.post(reverse("accounts:logout"))
    assert sign_in(user.username)["Location"] == reverse("home")


def test_disable_with_code(client: Client, sign_in) -> None:
    user, device = _enrolled_and_signed_in(client, sign_in)
    client.post(reverse("accounts:totp_disable"), {"code": totp_code(device)})
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert last_audit(user.username, "totp.disable").detail == {"proof": "code"}


def test_disabling_when_required_leads_straight_to_new_enrolment(
    client: Client, sign_in, require_2fa
) -> None:
    user = make_user("expert")
    device = make_totp_device(user)
    sign_in(user.username)
    client.post(reverse("accounts:otp_verify"), {"code": totp_code(device)})
    client.post(reverse("accounts:totp_disable"), {"password": PASSWORD})
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("accounts:totp_setup"))
