"""Who a WebSocket acts as, resolved as ActorMiddleware resolves a page's actor: the
session's user, acting through the membership chosen in the session, and nobody while a
second factor is owed. Registered with core/sockets.py from AccountsConfig.ready()."""

from __future__ import annotations

from typing import Any

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

from xietong.core.actor import Actor
from xietong.core.sockets import scope_session_key, session_current, socket_actor_register

from .actors import SESSION_MEMBERSHIP_KEY, actor_for_user
from .models import User
from .two_factor import SecondFactor, second_factor_needed


def _second_factor_done(user: User, session: Any) -> bool:
    if second_factor_needed(user) is SecondFactor.NOT_NEEDED:
        return True
    persistent_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    return device is not None and device.user_id == user.pk


def _actor_of(user: Any, session: Any) -> Actor | None:
    if not isinstance(user, User) or not user.is_active:
        return None
    if not _second_factor_done(user, session):
        return None
    membership_id = session.get(SESSION_MEMBERSHIP_KEY) if session is not None else None
    return actor_for_user(user=user, membership_id=membership_id)


def scope_actor(scope: dict[str, Any], *, fresh: bool = False) -> Actor | None:
    """The socket's actor. What the scope holds was loaded at connect; `fresh` reads the
    user and the session again (the user may since have been deactivated, the session
    signed out or expired, the membership switched or stripped of roles)."""
    user = scope.get("user")
    session: Any = scope.get("session")
    if not fresh:
        return _actor_of(user, session)
    if not isinstance(user, User):
        return None
    now = User.objects.filter(pk=user.pk).first()
    if now is None:
        return None
    key = scope_session_key(scope=scope)
    if key is not None:
        session = session_current(session_key=key, user_id=now.pk)
        if session is None:
            return None
    return _actor_of(now, session)


def scope_user_id(scope: dict[str, Any]) -> int | None:
    user = scope.get("user")
    if not isinstance(user, User) or not user.is_active:
        return None
    return user.pk if _second_factor_done(user, scope.get("session")) else None


def socket_actors_connect() -> None:
    socket_actor_register(actor=scope_actor, user_id=scope_user_id)
