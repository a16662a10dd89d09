from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import Membership


def actor_context(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", None)
    if actor is None:
        return {"actor": None}
    memberships = (
        Membership.objects.filter(user_id=actor.user_id, active=True)
        .select_related("institution")
        .order_by("id")
    )
    return {"actor": actor, "memberships": memberships}
