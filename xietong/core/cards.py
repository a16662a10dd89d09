"""Core's card on the home page: for those who read the audit log, the refused attempts to
reach data in their scope, which are what a supervisor or administrator follows up."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .access import audit_log_scope
from .actor import Actor
from .home import HomeCard
from .models import AuditEvent, AuditOutcome

REVIEW_DAYS = 7


def refused_attempts_card(request: HttpRequest, actor: Actor) -> list[HomeCard]:
    scope = audit_log_scope(actor)
    if scope is None:
        return []
    since = timezone.localdate() - timedelta(days=REVIEW_DAYS - 1)
    count = (
        AuditEvent.objects.filter(scope)
        .filter(at__date__gte=since, outcome__gt=AuditOutcome.SUCCESS)
        .count()
    )
    query = urlencode({"outcome": int(AuditOutcome.MINOR_FAILURE), "date_from": since.isoformat()})
    return [
        HomeCard(
            title=_("Refused or failed actions, last 7 days"),
            body=_(
                "Attempts to open data outside someone's care, failed sign-ins and other "
                "failures in the institutions you oversee. Review them in the audit log."
            ),
            count=count,
            url=f"{reverse('audit:log')}?{query}",
            action=_("Review in the audit log"),
            order=10,
        )
    ]
