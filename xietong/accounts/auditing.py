"""Audit records for account events. Sign-in events happen before there is an actor, so a
user is recorded through the membership they would act through, or by name alone."""

from __future__ import annotations

from typing import Any

from xietong.core.audit import audit_record
from xietong.core.models import AuditEvent, AuditOutcome

from .actors import actor_for_user
from .models import User


def account_audit(
    *,
    user: User | None,
    action: str,
    username: str = "",
    outcome: int = AuditOutcome.SUCCESS,
    resource_type: str = "User",
    resource_id: object = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    actor = actor_for_user(user=user) if user is not None else None
    if resource_id is None:
        resource_id = user.pk if user is not None else ""
    return audit_record(
        actor=actor,
        username=user.get_username() if user is not None else username,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        outcome=outcome,
        detail=detail,
    )
