"""The referral's part of /fhir/R4/: a ServiceRequest by id, its Tasks by focus, and the
Appointment booked for it."""

from __future__ import annotations

from django.http import QueryDict

from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.core.keys import uuid_or_none
from xietong.fhir.registry import Resource, fhir_read_register, fhir_search_register
from xietong.scheduling.models import Booking

from .fhir import appointment, service_request, tasks
from .models import Referral
from .selectors import get_referral_for


def _visible(actor: Actor, referral_uuid: str) -> Referral | None:
    try:
        return get_referral_for(actor=actor, referral_uuid=referral_uuid)
    except NotFound:
        return None


def service_request_read(actor: Actor, resource_id: str) -> Resource | None:
    r = _visible(actor, resource_id)
    return service_request(r) if r else None


def task_search(actor: Actor, params: QueryDict) -> list[Resource]:
    # Only the focus search is served: the Tasks of one referral.
    focus = params.get("focus", "")
    if not focus.startswith("ServiceRequest/"):
        return []
    r = _visible(actor, focus.split("/", 1)[1])
    return tasks(r) if r else []


def appointment_read(actor: Actor, resource_id: str) -> Resource | None:
    """A booking made for a referral the actor sees."""
    key = uuid_or_none(resource_id)
    booking = Booking.objects.filter(uuid=key, subject_type="referral").first() if key else None
    if booking is None:
        return None
    r = _visible(actor, str(booking.subject_id))
    return appointment(r) if r else None


def fhir_readers_register() -> None:
    fhir_read_register("ServiceRequest", service_request_read)
    fhir_search_register("Task", task_search, params={"focus": "reference"})
    fhir_read_register("Appointment", appointment_read)
