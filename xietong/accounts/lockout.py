"""The account lock and the second factor (docs/adr/0012).

django-axes locks a username after XT_LOGIN_FAILURE_LIMIT wrong passwords, wherever they
came from. While it holds, the password alone opens nothing, and API tokens already issued
stop working. Anyone who knows a username can cause such a lock, so a person who has a
second factor may still sign in with their password and a current code together, which
lifts the lock. Every refusal on that path looks the same, so the lock cannot be used to
test passwords."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.contrib.auth.signals import user_login_failed
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from xietong.core.errors import DomainError, ValidationFailed

from .auditing import account_audit
from .models import User
from .two_factor import totp_verify


class StillLocked(DomainError):
    """The lock stays (429): whatever was wrong is not said."""

    status = 429
    code = "locked"


STILL_LOCKED = _(
    "The account stays locked. If you have set up two-factor sign-in, check your password "
    "and enter the newest code from your app."
)


def failures_counted_since(now: datetime) -> datetime | None:
    """When the failures axes still counts at `now` began (None: they never expire)."""
    cool_off = get_cool_off()
    return None if cool_off is None else now - cool_off


def _recent_attempts(
    username: str | OuterRef, since: datetime | None = None
) -> QuerySet[AccessAttempt]:
    """The failed attempts axes still counts against a username (within the cool-off that
    began at `since`, by default the one that ends now)."""
    if since is None:
        since = failures_counted_since(timezone.now())
    attempts = AccessAttempt.objects.filter(username=username)
    if since is not None:
        attempts = attempts.filter(attempt_time__gte=since)
    return attempts


def failures_recent(username_field: str, since: datetime | None = None) -> Subquery:
    """The failures counted against the username in `username_field` of the outer query, as
    a subquery: a caller that reads the account anyway learns of the lock in the same query.
    `since` as in `_recent_attempts`."""
    return Subquery(
        _recent_attempts(OuterRef(username_field), since)
        .order_by()
        .values("username")
        .annotate(total=Sum("failures_since_start"))
        .values("total")[:1],
        output_field=IntegerField(),
    )


def failures_lock(username: str, failures: int | None) -> bool:
    """Whether this many counted failures lock the username."""
    return int(failures or 0) >= int(get_failure_limit(None, {"username": username}))


def account_locked(username: str) -> bool:
    """Whether the lock holds this username now (axes counts failures per username within
    the cool-off period)."""
    if not username:
        return False
    failures = _recent_attempts(username).aggregate(total=Sum("failures_since_start"))["total"]
    return failures_lock(username, failures)


def _wrong_password(request: HttpRequest, username: str) -> None:
    # Counted and audited like any wrong password (axes and signals.py listen).
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def sign_in_past_lock(
    *, request: HttpRequest, username: str, password: str, code: str
) -> tuple[User, TOTPDevice]:
    """Checks the password and then the code of a locked account that has a second factor;
    on success the lock is lifted and the caller signs the person in. The code is checked
    only after the right password, so a stranger's guesses cannot throttle the owner's
    authenticator."""
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        User().set_password(password)  # as long as a real check, so timing tells nothing
        _wrong_password(request, username)
        raise StillLocked(STILL_LOCKED)
    if not user.check_password(password):
        _wrong_password(request, username)
        raise StillLocked(STILL_LOCKED)
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise StillLocked(STILL_LOCKED)
    try:
        device = totp_verify(user=user, code=code)  # audits a wrong code
    except ValidationFailed as exc:
        raise StillLocked(STILL_LOCKED) from exc
    axes_reset(username=username)
    account_audit(user=user, action="login.unlock", detail={"second_factor": "totp"})
    return user, device


def lock_context(credentials: Any) -> dict[str, str]:
    """What the lock page needs to offer the sign-in with a code."""
    username = str((credentials or {}).get("username") or "")[:150]
    return {"locked_username": username}
