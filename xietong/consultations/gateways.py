"""The apps a consultation calls that are built alongside it: notifications, scheduling,
records. Each is reached through one function here, so the workflow reads the same whether
or not the app is installed yet, and tests see one seam."""

from __future__ import annotations

import importlib
import logging
import uuid
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from xietong.core.actor import Actor

log = logging.getLogger(__name__)


def _function(module: str, name: str) -> Any:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def notify_users(
    *,
    user_ids: list[int],
    kind: str,
    title: str,
    body: str,
    url: str = "",
    sms: bool = False,
    subject_id: object = "",
) -> None:
    """Tell people in the app (and by SMS when urgent). Called inside the transition's
    transaction, so a rolled-back transition tells nobody; a failing delivery is rolled
    back alone (a savepoint) and never undoes the transition."""
    notify = _function("xietong.notifications.services", "notify")
    if notify is None or not user_ids:
        return
    try:
        with transaction.atomic():
            notify(
                user_ids=user_ids,
                kind=kind,
                title=title,
                body=body,
                url=url,
                sms=sms,
                subject_type="consultation",
                subject_id=subject_id,
            )
    except Exception:
        log.exception("notification %s failed", kind)


# The subject type of a consultation's bookings: scheduling leaves them to this workflow.
BOOKING_SUBJECT = "consultation"


def booking_subject_register() -> None:
    """A consultation's booking is moved and cancelled through the consultation only, so a
    consultation never says "scheduled" for a place that was given away."""
    register = _function("xietong.scheduling.subjects", "workflow_subject_register")
    if register is not None:
        register(
            BOOKING_SUBJECT,
            refusal=gettext_lazy(
                "This booking belongs to a consultation. Reschedule or cancel it from the "
                "consultation."
            ),
        )


def booking_create(*, actor: Actor, slot: Any, consultation_uuid: uuid.UUID, patient: Any) -> Any:
    create = _function("xietong.scheduling.services", "booking_create")
    if create is None:
        return None
    return create(
        actor=actor,
        slot=slot,
        subject_type=BOOKING_SUBJECT,
        subject_id=str(consultation_uuid),
        patient=patient,
        workflow=BOOKING_SUBJECT,
    )


def _booking(booking_uuid: uuid.UUID) -> Any:
    model = _function("xietong.scheduling.models", "Booking")
    return model.objects.filter(uuid=booking_uuid).first() if model is not None else None


def booking_cancel(*, actor: Actor, booking_uuid: uuid.UUID, reason: str) -> None:
    cancel = _function("xietong.scheduling.services", "booking_cancel")
    booking = _booking(booking_uuid)
    if cancel is None or booking is None:
        return
    cancel(actor=actor, booking=booking, reason=reason[:300], workflow=BOOKING_SUBJECT)


def booking_reschedule(*, actor: Actor, booking_uuid: uuid.UUID, slot: Any) -> Any:
    reschedule = _function("xietong.scheduling.services", "booking_reschedule")
    booking = _booking(booking_uuid)
    if reschedule is None or booking is None:
        return None
    return reschedule(actor=actor, booking=booking, new_slot=slot, workflow=BOOKING_SUBJECT)


def document_file(*, actor: Actor, patient: Any, title: str, content: bytes, source: str) -> Any:
    """File a generated PDF into the patient's records; None until records is installed."""
    store = _function("xietong.records.services", "document_store_generated")
    if store is None:
        return None
    return store(
        actor=actor,
        patient=patient,
        kind="consult_opinion",
        title=title,
        content=content,
        content_type="application/pdf",
        source=source,
    )


def slot_get(slot_uuid: uuid.UUID) -> Any:
    """A slot of the scheduling app by its UUID; None when unknown or not installed."""
    model = _function("xietong.scheduling.models", "Slot")
    return model.objects.filter(uuid=slot_uuid).first() if model is not None else None
