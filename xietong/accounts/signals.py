"""Audit records for sign-in, sign-out and lockout.

These hook Django's and django-axes' authentication signals because every way in raises
them: our sign-in page, the admin's, the API token endpoint and the idle timeout. They only
write the audit log; no rule of the platform lives here."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_failure_limit
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from xietong.core.models import AuditOutcome

from .auditing import account_audit
from .models import User
from .two_factor import SecondFactor, second_factor_needed


def _username(credentials: dict[str, Any] | None) -> str:
    return str((credentials or {}).get("username") or "")[:150]


def on_logged_in(sender: object, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if second_factor_needed(user) is SecondFactor.NOT_NEEDED:
        account_audit(user=user, action="login.success", detail={"second_factor": "none"})
    else:
        # The password was right; signing in completes with the code (two_factor.py).
        account_audit(user=user, action="login.password", detail={"second_factor": "pending"})


def _failures_past_limit(request: HttpRequest | None, credentials: dict[str, Any] | None) -> int:
    """How far past the lock limit this attempt is: 0 for the attempt that locks, 1 and up
    for attempts made while locked (which axes counts, extending the lock), -1 before."""
    failures = getattr(request, "axes_failures_since_start", None)
    if request is None or failures is None:
        return -1
    return int(failures) - int(get_failure_limit(request, credentials))


def on_login_failed(sender: object, credentials: dict[str, Any], request: HttpRequest | None = None,
                    **kwargs: Any) -> None:  # fmt: skip
    # Runs after axes' own receiver (axes is installed first), which counts the failure.
    locked = _failures_past_limit(request, credentials) > 0
    account_audit(
        user=None,
        username=_username(credentials),
        action="login.failure",
        outcome=AuditOutcome.MINOR_FAILURE,
        detail={"reason": "locked" if locked else "credentials"},
    )


def on_locked_out(sender: object, request: HttpRequest | None = None, username: str = "",
                  **kwargs: Any) -> None:  # fmt: skip
    # Axes sends this for every attempt while locked; record the moment the lock starts.
    if _failures_past_limit(request, getattr(request, "axes_credentials", None)) != 0:
        return
    account_audit(
        user=None,
        username=str(username or "")[:150],
        action="login.lockout",
        outcome=AuditOutcome.SERIOUS_FAILURE,
        detail={"failures": getattr(request, "axes_failures_since_start", None)},
    )


def on_logged_out(sender: object, request: HttpRequest | None, user: User | None,
                  **kwargs: Any) -> None:  # fmt: skip
    if not isinstance(user, User):
        return
    reason = getattr(request, "xt_logout_reason", "user")
    account_audit(user=user, action="login.logout", detail={"reason": reason})


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="xt_audit_logged_in")
    user_login_failed.connect(on_login_failed, dispatch_uid="xt_audit_login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="xt_audit_locked_out")
    user_logged_out.connect(on_logged_out, dispatch_uid="xt_audit_logged_out")
