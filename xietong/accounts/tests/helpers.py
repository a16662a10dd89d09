from __future__ import annotations

from typing import Any

from xietong.core.models import AuditEvent


def audit_actions(username: str) -> list[str]:
    """What the audit log says this person did, oldest first."""
    return list(
        AuditEvent.objects.filter(username=username)
        .order_by("seq")
        .values_list("action", flat=True)
    )


def last_audit(username: str, action: str) -> AuditEvent:
    event = AuditEvent.objects.filter(username=username, action=action).order_by("-seq").first()
    assert event is not None, f"no {action} for {username}"
    return event


def text(response: Any) -> str:
    return str(response.content.decode())
