"""What the accounts app puts on the home page."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.home import HomeCard

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
