from __future__ import annotations

from typing import Any, cast

from django.test import Client

from xietong.accounts.models import Membership, User
from xietong.accounts.tests.factories import MembershipFactory, UserFactory
from xietong.notifications.models import Notification
from xietong.notifications.services import notify


def signed_in(client: Client, *roles: str) -> Membership:
    membership = cast(Membership, MembershipFactory(roles=list(roles) or ["requester"]))
    client.force_login(membership.user)
    client.cookies["django_language"] = "en"
    return membership


def tell(user_id: int, title: str, **kwargs: Any) -> Notification:
    notify(user_ids=[user_id], kind=kwargs.pop("kind", "test"), title=title, **kwargs)
    return Notification.objects.filter(recipient_id=user_id).latest("id")


def text(response: Any) -> str:
    return str(response.content.decode())


def a_user(**kwargs: Any) -> User:
    return cast(User, UserFactory(**kwargs))


def a_membership(**kwargs: Any) -> Membership:
    return cast(Membership, MembershipFactory(**kwargs))
