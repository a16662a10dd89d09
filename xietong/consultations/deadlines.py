"""Deadline alerts: the coordinator hears once when an accept or answer deadline nears
(the last quarter of its window) and once when it passes."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from xietong.notifications.services import notify

from .models import Consultation, ConsultationEvent, DeadlineAlert
from .selectors import AWAITING_ACCEPT, AWAITING_ANSWER
from .services._core import coordinator_ids, deadlines_table

NEAR_FRACTION = 0.25
log = logging.getLogger(__name__)


def _threshold(c: Consultation, which: str, due: dt.datetime, now: dt.datetime) -> str | None:
    start = c.submitted_at or c.created_at
    if now >= due:
        return f"{which}_passed"
    if (due - now) <= (due - start) * NEAR_FRACTION:
        return f"{which}_near"
    return None


def _alert_may_be_due(now: dt.datetime) -> Q:
    """Only consultations whose deadline is within the widest "near" window of now (or
    past), and not already told that it passed: the check runs every minute and must not
    read every open consultation to find the few that are due."""
    widest = max(max(pair) for pair in deadlines_table().values())
    horizon = now + dt.timedelta(minutes=widest * NEAR_FRACTION)
    told = DeadlineAlert.objects.filter(consultation_id=OuterRef("pk"))
    accept = Q(status__in=AWAITING_ACCEPT, accept_by__lte=horizon) & ~Exists(
        told.filter(threshold="accept_passed")
    )
    answer = Q(answer_by__lte=horizon) & ~Exists(told.filter(threshold="answer_passed"))
    return accept | answer


def deadlines_check(*, now: dt.datetime | None = None) -> int:
    """Alerts due at `now`; returns how many were sent. Safe to run again: each threshold of
    each consultation is recorded once (a unique row), so nobody hears twice."""
    now = now or timezone.now()
    sent = 0
    candidates = (
        Consultation.objects.filter(status__in=AWAITING_ANSWER)
        .filter(_alert_may_be_due(now))
        .select_related("centre")
    )
    for c in candidates.iterator():
        thresholds = []
        if c.status in AWAITING_ACCEPT and c.accept_by:
            thresholds.append(_threshold(c, "accept", c.accept_by, now))
        if c.answer_by:
            thresholds.append(_threshold(c, "answer", c.answer_by, now))
        for threshold in filter(None, thresholds):
            try:
                with transaction.atomic():
                    DeadlineAlert.objects.create(consultation=c, threshold=threshold)
                    recipients = coordinator_ids(c)
                    ConsultationEvent.objects.create(
                        consultation=c,
                        action=f"deadline_{threshold}",
                        from_status=c.status,
                        to_status=c.status,
                        notified=recipients,
                        at=now,
                    )
                    _tell(c, recipients, threshold)
            except IntegrityError:
                continue  # told already
            except Exception:
                # Rolled back (the alert too): the next check tells again; the others go on.
                log.exception("deadline alert %s of %s failed", threshold, c.number)
                continue
            sent += 1
    return sent


def _tell(c: Consultation, recipients: list[int], threshold: str) -> None:
    # Inside the alert's transaction: the rows commit with the alert, delivery after; a
    # failing notification rolls the alert back, so the next check tells again.
    notify(
        user_ids=recipients,
        kind=f"consultation.deadline_{threshold}",
        title=_LABELS[threshold],
        body=c.number,
        url=f"/consultations/{c.uuid}/",
        sms=threshold.endswith("passed") and c.urgency == "emergency",
        subject_type="consultation",
        subject_id=c.uuid,
    )


_LABELS = {
    "accept_near": gettext_lazy("A consultation must be accepted soon"),
    "accept_passed": gettext_lazy("A consultation was not accepted in time"),
    "answer_near": gettext_lazy("A consultation must be answered soon"),
    "answer_passed": gettext_lazy("A consultation was not answered in time"),
}
