"""What a referral shares of its patient's record: the records the sender chose, and what
was filed with the referral as its source (slip, examination report, treatment summary,
rehabilitation plan), read by the institutions taking part until XT_SHARED_READ_DAYS after
it ended (docs/adr/0013)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from xietong.core.actor import Actor
from xietong.patients.access import shared_read_days

from .access import visible_referrals_q
from .models import Referral
from .workflow import TERMINAL


def referral_documents_shared_q(actor: Actor, patient_id: int) -> Q:
    cutoff = timezone.now() - dt.timedelta(days=shared_read_days())
    rows = (
        Referral.objects.filter(visible_referrals_q(actor), patient_id=patient_id)
        .exclude(status__in=TERMINAL, updated_at__lte=cutoff)
        .values_list("uuid", "shared_documents", "report_document_uuid")
    )
    sources: list[str] = []
    chosen: set[str] = set()
    for key, shared, report in rows:
        sources.append(f"referral:{key}")
        chosen.update(str(u) for u in shared or [])
        if report:
            chosen.add(str(report))
    if not sources:
        return Q(pk__in=[])
    return Q(source__in=sources) | Q(uuid__in=sorted(chosen))


def share_reader_register_referrals() -> None:
    from xietong.records.sharing import share_reader_register

    share_reader_register(referral_documents_shared_q)
