"""Asking a signed-in person again for their password or a current code, before an act that
carries their name (signing an opinion).

A wrong password here is a failed sign-in of that username for django-axes, the counter the
sign-in page and the token endpoint use: after XT_LOGIN_FAILURE_LIMIT of them, here or
there, the account is locked, and while it is locked nothing is confirmed, the right password
included. So a stolen session or API token cannot be used to try passwords one after
another. A code is checked by the second factor's own throttle, as at sign-in."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor, actor_memo
from xietong.core.context import current_origin
from xietong.core.errors import DomainError, ValidationFailed

from .models import User
from .two_factor import totp_verify


class IdentityLocked(DomainError):
    """The account is locked (429): nothing is confirmed until the lock ends."""

    status = 429
    code = "locked"


# What authenticating this request already read about the person, kept on its actor
# (`actor_memo`) so that asking them again reads neither a second time.
_USER_ROW = "accounts.user_row"
_UNLOCKED = "accounts.unlocked"


def identity_read_at_sign_in(*, actor: Actor, user: User, unlocked: bool = False) -> None:
    """The authentication that made `actor` read `user` (with its password hash) for this
    request; `unlocked`: it also found the account not locked (a bearer token is refused
    while it is), so the lock need not be asked again within the request."""
    actor_memo(actor, _USER_ROW, lambda: user)
    if unlocked:
        actor_memo(actor, _UNLOCKED, lambda: True)


def _attempt(purpose: str) -> HttpRequest:
    """What axes records about an attempt: the caller's address and agent, and where it
    was made. Services are not handed the view's request, so the origin the middleware kept
    (core/context.py) is put on one of their own."""
    origin = current_origin()
    request = HttpRequest()
    request.method = "POST"
    request.META.update(
        {
            "REMOTE_ADDR": origin.ip,
            "HTTP_USER_AGENT": origin.user_agent,
            "PATH_INFO": purpose,
            "HTTP_ACCEPT": "",
        }
    )
    return request


def _locked_error() -> IdentityLocked:
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    return IdentityLocked(
        _("Too many failed sign-in attempts. The account is locked for %(minutes)s minutes.")
        % {"minutes": minutes}
    )


def identity_confirm(*, actor: Actor, password: str = "", code: str = "", purpose: str) -> bool:
    """Whether the actor proved it is them: with a current code when one is given, else with
    the password. Raises IdentityLocked while the account is locked, whatever was entered,
    and when this wrong password is the one that locks it.

    Call it outside any transaction: a wrong password must stay counted though the caller's
    refusal then unwinds its own work (a surrounding transaction raises RuntimeError)."""
    if not password and not code:
        return False  # nothing was tried, so there is nothing to count
    user: User = actor_memo(actor, _USER_ROW, lambda: User.objects.get(pk=actor.user_id))
    request = _attempt(purpose)
    credentials = {"username": user.get_username()}
    unlocked = actor_memo(actor, _UNLOCKED, lambda: False)
    if not unlocked and AxesProxyHandler.is_locked(request, credentials):
        raise _locked_error()
    if code:
        try:
            totp_verify(user=user, code=code)  # throttled per device; audits a wrong code
        except ValidationFailed:
            return False
        return True
    if user.is_active and user.check_password(password):
        return True
    # Counted and audited like a wrong password on the sign-in page (axes and signals.py
    # listen); durable, so the count is committed before the caller's refusal is raised.
    with transaction.atomic(durable=True):
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if getattr(request, "axes_locked_out", False):
        raise _locked_error()
    return False
