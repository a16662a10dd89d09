"""Reading what hospitals pushed through /fhir/R4/: a resource by id, searches (search.py)
and a patient's `$everything` (everything.py), each read only where sharing.py lets the
actor read the resource (what their institution pushed; another's on the grounds of
docs/adr/0033). A resource not
linked to one of our patients is seen by nobody yet. Each read and each search is audited."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db.models import Exists, OuterRef
from django.http import QueryDict
from django.utils.translation import gettext as _

from xietong.core.actor import Actor
from xietong.core.keys import uuid_or_none
from xietong.core.reads import SHOW, read_recorded, read_refused
from xietong.fhir.registry import (
    Resource,
    SearchPage,
    SearchRefused,
    fhir_operation_register,
    fhir_read_register,
    fhir_search_register,
    fhir_system_interactions_register,
    search_window,
)

from .everything import patient_everything
from .models import FhirResource
from .push.columns import fhir_instant, resource_date
from .push.edge import SUBJECT_OF
from .search import resources_search, search_includes, search_note, search_params
from .sharing import resources_readable_q

EVERYTHING = "http://hl7.org/fhir/OperationDefinition/Patient-everything"


def resource_read(actor: Actor, resource_type: str, resource_id: str) -> Resource | None:
    key = uuid_or_none(resource_id)
    reference = f"{resource_type}/{resource_id}"
    seen = FhirResource.objects.filter(resources_readable_q(actor=actor), pk=OuterRef("pk"))
    found = (
        FhirResource.objects.filter(resource_type=resource_type, logical_id=key)
        .annotate(seen=Exists(seen))
        .first()
        if key
        else None
    )
    if found is None:
        return None  # not a pushed resource: another app's reader may know the id
    if not found.seen:  # the annotation above
        read_refused(actor=actor, resource_type="FhirResource", resource_id=reference,
                     patient_id=found.patient_id)  # fmt: skip
        return None
    read_recorded(
        actor=actor, intent=SHOW, resource_type="FhirResource", resource_id=reference,
        patient_id=found.patient_id,
    )  # fmt: skip
    content: Resource = found.content
    return content


def everything_operation(actor: Actor, resource_id: str, params: QueryDict) -> SearchPage | None:
    """`Patient/<id>/$everything?_count&_offset&_since&_type` on the FHIR surface."""
    count, offset = search_window(params)
    since = fhir_instant(params.get("_since", "")) if params.get("_since") else None
    if params.get("_since") and since is None:
        raise SearchRefused(_("_since must be a date or a time, such as 2026-11-20T08:00:00Z."))
    types = [t for v in params.getlist("_type") for t in v.split(",") if t] or None
    return patient_everything(
        actor=actor, resource_id=resource_id, count=count, offset=offset, since=since,
        types=types, total=params.get("_total") != "none",
    )  # fmt: skip


def _reader(resource_type: str) -> Any:
    def read(actor: Actor, resource_id: str) -> Resource | None:
        return resource_read(actor, resource_type, resource_id)

    return read


def _searcher(resource_type: str) -> Any:
    def search(actor: Actor, params: QueryDict) -> SearchPage:
        return resources_search(actor, resource_type, params)

    return search


_READERS = {t: (_reader(t), _searcher(t)) for t in SUBJECT_OF}


def fhir_readers_register() -> None:
    for resource_type, (reader, searcher) in _READERS.items():
        fhir_read_register(resource_type, reader)
        fhir_search_register(
            resource_type, searcher, params=search_params(resource_type),
            includes=search_includes(resource_type), note=search_note(resource_type),
            sort_date=partial(resource_date, resource_type),
        )  # fmt: skip
    fhir_operation_register("Patient", "everything", everything_operation, definition=EVERYTHING)
    fhir_system_interactions_register("batch", "transaction")
