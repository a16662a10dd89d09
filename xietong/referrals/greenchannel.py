"""The green channel's clock: a desk that has not acknowledged an emergency referral in time
brings in the coordinator (once per referral)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from xietong.core.audit import audit_record

from .models import Referral, Status, Urgency
from .notify import coordinator_ids, staff_tell
from .services._core import timeline_add


def green_channel_check(*, now: dt.datetime | None = None) -> int:
    """Alerts the coordinators of referrals still unacknowledged past their deadline;
    returns how many were alerted. Safe to run again: the alert is stamped on the row by a
    conditional update, so nobody hears twice."""
    now = now or timezone.now()
    overdue = Referral.objects.filter(
        urgency=Urgency.EMERGENCY,
        status=Status.REQUESTED,
        acknowledged_at__isnull=True,
        coordinator_alerted_at__isnull=True,
        ack_by__lte=now,
    )
    sent = 0
    for r in overdue.select_related("patient", "receiving_institution"):
        with transaction.atomic():
            claimed = Referral.objects.filter(
                pk=r.pk, coordinator_alerted_at__isnull=True, status=Status.REQUESTED
            ).update(coordinator_alerted_at=now)
            if not claimed:
                continue
            audit_record(
                actor=None,
                action="referral.green_channel_overdue",
                resource_type="Referral",
                resource_id=r.uuid,
                patient_id=r.patient_id,
                detail={"number": r.number, "ack_by": r.ack_by.isoformat() if r.ack_by else ""},
            )
            timeline_add(r, actor=None, action="green_channel_overdue", before=r.status)
            staff_tell(
                user_ids=coordinator_ids(r),
                kind="referral.green_channel_overdue",
                title=gettext_lazy("A green-channel referral was not acknowledged in time"),
                r=r,
                sms=True,
            )
        sent += 1
    return sent
