"""The TOTP second factor: who needs it, enrolment, verification and turning it off.

These take a user rather than an actor: a second factor is checked before the person acts
through any membership, and someone without a membership may still protect their account."""

from __future__ import annotations

import enum
from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from xietong.core.errors import ValidationFailed
from xietong.core.models import AuditOutcome

from .auditing import account_audit
from .models import PRIVILEGED_ROLES, Membership, User

DEVICE_NAME = "authenticator"


class SecondFactor(enum.Enum):
    NOT_NEEDED = "not_needed"
    VERIFY = "verify"  # has a confirmed device: must enter a code
    ENROL = "enrol"  # must have one and has none: must set one up first


def user_is_privileged(user: User) -> bool:
    """Holds a privileged role at any institution, or may enter the admin site."""
    if user.is_staff or user.is_superuser:
        return True
    role_lists = Membership.objects.filter(user=user, active=True).values_list("roles", flat=True)
    return any(role in PRIVILEGED_ROLES for roles in role_lists for role in roles)


def totp_confirmed(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_needed(user: User) -> SecondFactor:
    """What a user who has given the right password must still do. Someone who enrolled of
    their own accord is asked for a code too: otherwise enrolling would protect nothing."""
    if totp_confirmed(user):
        return SecondFactor.VERIFY
    if settings.XT_REQUIRE_2FA and user_is_privileged(user):
        return SecondFactor.ENROL
    return SecondFactor.NOT_NEEDED


def session_verified(request: HttpRequest) -> bool:
    """Whether this session's user entered a code (django-otp's OTPMiddleware sets it)."""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def session_pending(request: HttpRequest) -> SecondFactor:
    """What a signed-in session must still do before it may use the site."""
    user = request.user
    if not isinstance(user, User) or session_verified(request):
        return SecondFactor.NOT_NEEDED
    return second_factor_needed(user)


def totp_pending_device(*, user: User) -> TOTPDevice:
    """The device being set up. The same one is shown until confirmed, so reloading the
    page does not invalidate a QR code already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret for typing into an app by hand, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    return str(
        segno.make(device.config_url, error="m").svg_inline(
            scale=5, border=2, title=str(_("QR code for your authenticator app"))
        )
    )


def _clean_code(code: str) -> str:
    return "".join(code.split())


def _check(device: TOTPDevice, code: str) -> bool:
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        raise ValidationFailed.single(
            "code", _("Too many wrong codes. Wait a minute, then enter the newest code.")
        )
    return bool(device.verify_token(_clean_code(code)))


def totp_enrol_confirm(*, user: User, code: str) -> TOTPDevice:
    """Confirms the pending device with a code from the app; other devices are removed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        raise ValidationFailed.single("code", _("Start the set-up again: no device is waiting."))
    if not _check(device, code):
        raise ValidationFailed.single(
            "code", _("That code is not right. Check the time on your phone and try again.")
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        account_audit(user=user, action="totp.enrol", resource_type="TOTPDevice",
                      resource_id=device.pk)  # fmt: skip
    return device


def totp_verify(*, user: User, code: str) -> TOTPDevice:
    """The second step of signing in. A wrong code is audited as a failed sign-in."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()
    if device is None:
        raise ValidationFailed.single("code", _("You have not set up two-factor sign-in."))
    if not _check(device, code):
        account_audit(
            user=user,
            action="login.failure",
            outcome=AuditOutcome.MINOR_FAILURE,
            detail={"reason": "otp"},
        )
        raise ValidationFailed.single("code", _("That code is not right or has expired."))
    return device


def totp_session_login(*, request: HttpRequest, user: User, device: TOTPDevice,
                       via: str) -> None:  # fmt: skip
    """Marks the session as verified and records that signing in is complete."""
    otp_login(request, device)
    account_audit(user=user, action="login.success", detail={"second_factor": via})


def totp_disable(*, user: User, code: str = "", password: str = "") -> int:
    """Removes the user's TOTP devices after proof: a current code or the password."""
    code = _clean_code(code)
    if not code and not password:
        raise ValidationFailed.single(
            "__all__", _("Enter a current code from your app, or your password.")
        )
    via = ""
    if code:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()
        if device is not None and _check(device, code):
            via = "code"
    if not via and password and user.check_password(password):
        via = "password"
    if not via:
        account_audit(user=user, action="totp.disable", outcome=AuditOutcome.MINOR_FAILURE,
                      resource_type="TOTPDevice", detail={"reason": "proof"})  # fmt: skip
        raise ValidationFailed.single("__all__", _("The code or the password is not right."))
    with transaction.atomic():
        removed, _detail = TOTPDevice.objects.filter(user=user).delete()
        account_audit(user=user, action="totp.disable", resource_type="TOTPDevice",
                      detail={"proof": via})  # fmt: skip
    return removed
