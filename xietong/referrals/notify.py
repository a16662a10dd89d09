"""Telling people: staff in the app (and by SMS for the green channel), the patient by SMS
through the notification outbox. Called inside the transition's transaction, so a rolled-back
transition tells nobody; a failing delivery is rolled back alone and never undoes the work."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.functional import Promise

from xietong.accounts.selectors import member_ids_with_roles
from xietong.notifications.services import notify, sms_queue

from .models import Referral

log = logging.getLogger(__name__)


def members_of(institution_id: int | None, *roles: str) -> list[int]:
    return member_ids_with_roles(institution_id=institution_id, roles=roles)


def desk_ids(r: Referral) -> list[int]:
    return members_of(r.receiving_institution_id, "referral_desk")


def coordinator_ids(r: Referral) -> list[int]:
    return members_of(r.receiving_institution_id, "coordinator")


def receiver_doctor_ids(r: Referral) -> list[int]:
    return members_of(r.receiving_institution_id, "requester", "expert")


def down_ids(r: Referral) -> list[int]:
    return members_of(r.down_institution_id, "requester", "referral_desk")


def staff_tell(
    *, user_ids: list[int], kind: str, title: str | Promise, r: Referral, sms: bool = False
) -> None:
    if not user_ids:
        return
    try:
        with transaction.atomic():
            notify(
                user_ids=user_ids,
                kind=kind,
                title=title,
                body=r.number,
                url=f"/referrals/{r.uuid}/",
                sms=sms,
                subject_type="referral",
                subject_id=r.uuid,
            )
    except Exception:
        log.exception("notification %s failed", kind)


def patient_sms(*, r: Referral, text: str) -> None:
    """An SMS to the patient's phone through the outbox (patients have no account)."""
    phone = (r.patient.phone or "").strip()
    if not phone:
        return
    try:
        with transaction.atomic():
            sms_queue(phone=phone, subject=r.number, text=text)
    except Exception:
        log.exception("patient SMS for %s failed", r.number)
