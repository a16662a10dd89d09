"""The consultation's part of /fhir/R4/: a ServiceRequest by id, its Tasks by focus."""

from __future__ import annotations

from django.http import QueryDict

from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.fhir.registry import Resource, fhir_read_register, fhir_search_register

from .fhir import service_request, tasks
from .models import Consultation
from .selectors import get_consultation_for


def _visible(actor: Actor, consultation_uuid: str) -> Consultation | None:
    try:
        return get_consultation_for(actor=actor, consultation_uuid=consultation_uuid)
    except NotFound:
        return None


def service_request_read(actor: Actor, resource_id: str) -> Resource | None:
    c = _visible(actor, resource_id)
    return service_request(c) if c else None


def task_search(actor: Actor, params: QueryDict) -> list[Resource]:
    # Only the focus search is served: the Tasks of one consultation.
    focus = params.get("focus", "")
    if not focus.startswith("ServiceRequest/"):
        return []
    c = _visible(actor, focus.split("/", 1)[1])
    return tasks(c) if c else []


def fhir_readers_register() -> None:
    fhir_read_register("ServiceRequest", service_request_read)
    fhir_search_register("Task", task_search, params={"focus": "reference"})
