"""Bearer tokens for API clients: issued after a password (and TOTP) check, revocable,
expiring. Only a hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import DomainError, NotFound, NotPermitted, ValidationFailed
from xietong.core.rows import RowQuery

from .actors import actor_for_membership, actor_for_user
from .lockout import (
    StillLocked,
    account_locked,
    failures_counted_since,
    failures_lock,
    failures_recent,
    sign_in_past_lock,
)
from .models import ApiToken, Membership, User
from .two_factor import SecondFactor, second_factor_needed, totp_verify

TOKEN_PREFIX = "xt_"  # noqa: S105 (a marker, not a secret)


class SignInRefused(DomainError):
    """Wrong credentials or a missing second factor: the API answers 401."""

    status = 401
    code = "invalid_credentials"


class SignInLocked(DomainError):
    status = 429
    code = "locked"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_issue(*, membership: Membership, label: str = "") -> tuple[ApiToken, str]:
    """Returns the stored token and the key, which is shown this once only."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=membership.user,
            membership=membership,
            key_hash=_hash(key),
            prefix=key[:10],
            label=label.strip()[:80],
            expires_at=timezone.now() + timedelta(days=settings.XT_API_TOKEN_DAYS),
        )
        audit_record(
            actor=actor_for_membership(membership),
            action="token.issue",
            resource_type="ApiToken",
            resource_id=token.pk,
            detail={"label": token.label, "prefix": token.prefix},
        )
    return token, key


def _token_rows(key_hash: str, now: datetime, since: datetime | None = None) -> QuerySet[ApiToken]:
    """One query on every API request: the token, its membership with the user, institution
    and region the actor is made of, and the failures that may lock the account."""
    return (
        ApiToken.objects.select_related("membership__user", "membership__institution__region")
        .annotate(lock_failures=failures_recent("membership__user__username", since))
        .filter(key_hash=key_hash, revoked_at__isnull=True, expires_at__gt=now)
    )


# Compiled once per process: this query runs on every API request (core/rows.py).
_TOKEN_ROWS = RowQuery(ApiToken, _token_rows)


def api_token_resolve(key: str) -> ApiToken | None:
    if not key.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    since = failures_counted_since(now)
    token = _TOKEN_ROWS.row(_hash(key), now, *([since] if since else []))
    if token is None or token.membership.user_id != token.user_id:
        return None
    token.user = token.membership.user  # the same person: not read a second time
    if not token.user.is_active or not token.membership.active:
        return None
    # While the account is locked someone may be guessing its password: a token issued
    # earlier waits too, until the lock ends or its owner signs in with a code (ADR 12).
    failures = token.lock_failures  # type: ignore[attr-defined]  # the annotation above
    if failures_lock(token.user.get_username(), failures):
        return None
    # Record use at most once a minute: a busy client should not write on every call.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def api_tokens_for(*, actor: Actor) -> QuerySet[ApiToken]:
    """The caller's own tokens, newest first, whichever membership they were issued for."""
    return ApiToken.objects.filter(user_id=actor.user_id).select_related("membership__institution")


def get_api_token_for(*, actor: Actor, token_id: int) -> ApiToken:
    token = api_tokens_for(actor=actor).filter(pk=token_id).first()
    if token is None:
        raise NotFound()
    return token


def api_token_revoke(*, actor: Actor, token_id: int) -> bool:
    """Revokes one of the actor's own tokens; False when there was no live one to revoke."""
    with transaction.atomic():
        updated = ApiToken.objects.filter(
            pk=token_id, user_id=actor.user_id, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if updated:
            audit_record(
                actor=actor, action="token.revoke", resource_type="ApiToken", resource_id=token_id
            )
    return bool(updated)


def api_token_sign_in(
    *,
    request: HttpRequest,
    username: str,
    password: str,
    otp: str | None = None,
    membership_id: int | None = None,
    label: str = "",
) -> tuple[ApiToken, str]:
    """Signs an API client in: password through the authentication backends (so failed
    attempts count toward the lockout), the second factor when the account has or needs one,
    then a token for the membership asked for, else the first active one. A locked account
    with a second factor signs in with the password and the code together."""
    if otp and account_locked(username):
        # Password and code together pass a lock a stranger may have caused (ADR 12).
        try:
            unlocked, _device = sign_in_past_lock(
                request=request, username=username, password=password, code=otp
            )
        except StillLocked as exc:
            raise SignInLocked(exc.message) from exc
        return _token_for(unlocked, membership_id=membership_id, label=label)
    user = authenticate(request=request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise SignInLocked(_("Too many failed sign-in attempts. The account is locked."))
    if not isinstance(user, User):
        raise SignInRefused(_("The username or the password is not right."))

    need = second_factor_needed(user)
    if need is SecondFactor.ENROL:
        raise SignInRefused(
            _("Your roles need two-factor sign-in. Set it up on the web first."),
            code="otp_required",
        )
    if need is SecondFactor.VERIFY:
        if not otp:
            raise SignInRefused(
                _("Enter the code from your authenticator app (otp)."), code="otp_required"
            )
        try:
            totp_verify(user=user, code=otp)
        except ValidationFailed as exc:
            raise SignInRefused(exc.fields["code"][0], code="otp_invalid") from exc
    # A full sign-in, as on the web: earlier failures no longer count toward a lock.
    axes_reset(username=user.get_username())
    return _token_for(user, membership_id=membership_id, label=label)


def _token_for(user: User, *, membership_id: int | None, label: str) -> tuple[ApiToken, str]:
    """A token for the membership asked for, else the user's first active one."""
    memberships = Membership.objects.filter(user=user, active=True).select_related(
        "user", "institution__region"
    )
    if membership_id is not None:
        membership = memberships.filter(pk=membership_id).first()
        if membership is None:
            raise ValidationFailed.single(
                "membership_id", _("That membership is not yours or is no longer active.")
            )
    else:
        membership = memberships.first()
        if membership is None:
            raise NotPermitted(
                _("Your account has no active membership at any institution."),
                code="no_membership",
            )
    return api_token_issue(membership=membership, label=label)


def api_token_admin_revoke(*, by: User, token_ids: list[int]) -> int:
    """An administrator revokes tokens of anyone (a lost laptop, a person who left)."""
    by_actor = actor_for_user(user=by)
    count = 0
    with transaction.atomic():
        tokens = ApiToken.objects.select_for_update().filter(
            pk__in=token_ids, revoked_at__isnull=True
        )
        for token in tokens.select_related("user"):
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(
                actor=by_actor,
                username=by.get_username(),
                action="token.revoke",
                resource_type="ApiToken",
                resource_id=token.pk,
                detail={"owner": token.user.username, "by_admin": True},
            )
            count += 1
    return count
