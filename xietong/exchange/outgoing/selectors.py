"""Pushes that are not getting through, for the platform administrator."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.core.actor import Actor
from xietong.core.errors import NotPermitted

from ..models import OutgoingMessage, OutgoingState


def _stuck_since() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=int(settings.XT_PUSH_STUCK_MINUTES))


def outgoing_stuck(*, actor: Actor) -> QuerySet[OutgoingMessage]:
    """Messages still waiting longer than XT_PUSH_STUCK_MINUTES, oldest first. What they
    carry is not shown: the subject and the gateway's last error say enough to act."""
    if not actor.is_platform_admin:
        raise NotPermitted(_("Only the platform administrator sees pushes to hospitals."))
    return (
        OutgoingMessage.objects.filter(state=OutgoingState.WAITING, created_at__lt=_stuck_since())
        .select_related("gateway__institution")
        .defer("bundle")
        .order_by("created_at", "pk")
    )


def outgoing_stuck_count(*, actor: Actor) -> int:
    return outgoing_stuck(actor=actor).count()


def outgoing_stuck_by_gateway(*, actor: Actor) -> dict[int, int]:
    rows = outgoing_stuck(actor=actor).order_by().values("gateway_id").annotate(n=Count("pk"))
    return {r["gateway_id"]: r["n"] for r in rows}
