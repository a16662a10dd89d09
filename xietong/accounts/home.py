"""What the accounts app puts on the home page."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.home import HomeCard

from .memberships import memberships_awaiting_approval_by
from .models import User
from .two_factor import totp_confirmed, user_is_privileged


def two_factor_card(request: HttpRequest, actor: Actor) -> list[HomeCard]:
    user = request.user
    if not isinstance(user, User) or not user_is_privileged(user) or totp_confirmed(user):
        return []
    return [
        HomeCard(
            title=_("Set up two-factor sign-in"),
            body=_(
                "Your role gives you access to many patients' data. Protect your account "
                "with a code from an authenticator app on your phone."
            ),
            url=reverse("accounts:totp_setup"),
            action=_("Set up now"),
            order=5,
        )
    ]


def role_approvals_card(request: HttpRequest, actor: Actor) -> list[HomeCard]:
    """For administrators: clinical roles other administrators gave themselves, which open
    nothing until someone else approves them."""
    user = request.user
    if not isinstance(user, User) or not user.is_staff:
        return []
    if not user.has_perm("accounts.change_membership"):
        return []
    count = memberships_awaiting_approval_by(actor=actor).count()
    if not count:
        return []
    return [
        HomeCard(
            title=_("Roles waiting for your approval"),
            body=_(
                "Administrators gave themselves clinical roles. They take effect only when "
                "another administrator approves them."
            ),
            count=count,
            url=reverse("administration:approvals"),
            action=_("Review in the admin"),
            order=6,
        )
    ]
