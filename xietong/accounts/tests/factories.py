from __future__ import annotations

import time
from typing import Any, cast

import factory
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from xietong.accounts.actors import actor_for_membership
from xietong.accounts.models import Membership, User
from xietong.core.actor import Actor
from xietong.directory.tests.factories import InstitutionFactory

PASSWORD = "Correct-Horse-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    institution = factory.SubFactory(InstitutionFactory)
    roles = factory.LazyFunction(lambda: ["requester"])


def make_actor(*roles: str, **membership_kwargs: Any) -> Actor:
    """A fresh user acting through a new membership with these roles."""
    membership = cast(
        Membership, MembershipFactory(roles=list(roles) or ["requester"], **membership_kwargs)
    )
    return actor_for_membership(membership)


def make_user(*roles: str, **membership_kwargs: Any) -> User:
    """A user with one active membership holding these roles."""
    membership = cast(
        Membership, MembershipFactory(roles=list(roles) or ["requester"], **membership_kwargs)
    )
    return membership.user


def make_totp_device(user: User, *, confirmed: bool = True) -> TOTPDevice:
    return cast(TOTPDevice, TOTPDevice.objects.create(user=user, name="phone", confirmed=confirmed))


def totp_code(device: TOTPDevice) -> str:
    """A code the device accepts now, as the user's phone would show it. Codes are single
    use; when the window's codes are spent, the device forgets them, as time would."""
    for _attempt in range(2):
        device.refresh_from_db()
        now_t = int((time.time() - device.t0) // device.step) + device.drift
        for t in (now_t, now_t + 1):
            if t > device.last_t:
                return f"{hotp(device.bin_key, t, device.digits):0{device.digits}d}"
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, drift=0)
    raise AssertionError("no usable TOTP code")


def wrong_code(device: TOTPDevice) -> str:
    right = {totp_code(device)}
    device.refresh_from_db()
    now_t = int((time.time() - device.t0) // device.step) + device.drift
    near = {f"{hotp(device.bin_key, now_t + d, device.digits):06d}" for d in (-2, -1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "123456", "654321") if c not in right | near)


def make_membership(**kwargs: Any) -> Membership:
    return cast(Membership, MembershipFactory(**kwargs))


def make_plain_user(**kwargs: Any) -> User:
    """A user with no membership at all."""
    return cast(User, UserFactory(**kwargs))
