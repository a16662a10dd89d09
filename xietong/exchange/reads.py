"""Reading what hospitals pushed through /fhir/R4/: a resource by id and searches, seen only
where the actor sees the patient (patients/access.py: their institution cares for them, or a
grant names them). A resource not linked to one of our patients is seen by nobody yet. Each
read and each search is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.keys import uuid_or_none
from xietong.core.reads import SHOW, read_recorded, read_refused
from xietong.fhir.registry import (
    Resource,
    fhir_read_register,
    fhir_search_register,
    fhir_system_interactions_register,
)
from xietong.patients.selectors import patients_visible_to

from .models import FhirResource, FhirToken, TokenParam
from .push.columns import fhir_instant
from .push.edge import SUBJECT_OF

DEFAULT_COUNT = 50
MAX_COUNT = 200
# What the searcher understands (told to clients in the CapabilityStatement).
SEARCH_PARAMS = {
    "patient": "reference",
    "subject": "reference",
    "identifier": "token",
    "date": "date",
    "code": "token",
    "category": "token",
    "status": "token",
}


def _visible(actor: Actor) -> QuerySet[FhirResource]:
    return FhirResource.objects.filter(patient__in=patients_visible_to(actor).values("pk"))


def resource_read(actor: Actor, resource_type: str, resource_id: str) -> Resource | None:
    key = uuid_or_none(resource_id)
    reference = f"{resource_type}/{resource_id}"
    seen = patients_visible_to(actor).filter(pk=OuterRef("patient_id"))
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


_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb")


def _date_q(value: str) -> Q:
    prefix, rest = (value[:2], value[2:]) if value[:2] in _PREFIXES else ("eq", value)
    start = fhir_instant(rest)
    if start is None:
        return Q(pk__in=[])
    # The period the value names: a year, a month, a day, or one instant.
    if len(rest) == 4:
        end = start.replace(year=start.year + 1)
    elif len(rest) == 7:
        end = (start + dt.timedelta(days=32)).replace(day=1)
    elif len(rest) == 10:
        end = start + dt.timedelta(days=1)
    else:
        end = start + dt.timedelta(seconds=1)
    return {
        "eq": Q(date__gte=start, date__lt=end),
        "ne": ~Q(date__gte=start, date__lt=end) & Q(date__isnull=False),
        "gt": Q(date__gte=end),
        "sa": Q(date__gte=end),
        "ge": Q(date__gte=start),
        "lt": Q(date__lt=start),
        "eb": Q(date__lt=start),
        "le": Q(date__lt=end),
    }[prefix]


def _token_q(resource_type: str, param: str, value: str) -> Q:
    system, bar, code = value.partition("|")
    tokens = FhirToken.objects.filter(resource_type=resource_type, param=param)
    tokens = tokens.filter(system=system, value=code) if bar else tokens.filter(value=value)
    return Q(pk__in=tokens.values("resource_id"))


def _subject_q(resource_type: str, value: str) -> Q:
    reference = value if "/" in value else f"Patient/{value}"
    return Q(subject=reference)


def resources_search(actor: Actor, resource_type: str, params: QueryDict) -> list[Resource]:
    rows = _visible(actor).filter(resource_type=resource_type)
    for name in ("patient", "subject"):
        for value in params.getlist(name):
            rows = rows.filter(_subject_q(resource_type, value))
    for value in params.getlist("identifier"):
        rows = rows.filter(_token_q(resource_type, TokenParam.IDENTIFIER, value))
    for value in params.getlist("code"):
        rows = rows.filter(_token_q(resource_type, TokenParam.CODE, value))
    for value in params.getlist("category"):
        rows = rows.filter(_token_q(resource_type, TokenParam.CATEGORY, value))
    for value in params.getlist("status"):
        rows = rows.filter(status__in=value.split(","))
    for value in params.getlist("date"):
        rows = rows.filter(_date_q(value))
    try:
        count = max(0, min(MAX_COUNT, int(params.get("_count", DEFAULT_COUNT))))
        offset = max(0, int(params.get("_offset", 0)))
    except ValueError:
        count, offset = DEFAULT_COUNT, 0
    # One more than asked: the search's page says whether there is a next one (fhir/views.py).
    found = list(rows.order_by("-date", "-pk")[offset : offset + count + 1])
    patients = sorted({r.patient_id for r in found[:count] if r.patient_id})
    audit_record(
        actor=actor, action="fhir_resource.search", resource_type="FhirResource",
        resource_id=resource_type, patient_id=patients[0] if len(patients) == 1 else None,
        detail={"params": {k: params.getlist(k) for k in params}, "count": len(found[:count]),
                "patients": patients[:50]},
    )  # fmt: skip
    return [r.content for r in found]


def _reader(resource_type: str) -> Any:
    def read(actor: Actor, resource_id: str) -> Resource | None:
        return resource_read(actor, resource_type, resource_id)

    return read


def _searcher(resource_type: str) -> Any:
    def search(actor: Actor, params: QueryDict) -> list[Resource]:
        return resources_search(actor, resource_type, params)

    return search


_READERS = {t: (_reader(t), _searcher(t)) for t in SUBJECT_OF}


def fhir_readers_register() -> None:
    for resource_type, (reader, searcher) in _READERS.items():
        fhir_read_register(resource_type, reader)
        fhir_search_register(resource_type, searcher, params=SEARCH_PARAMS)
    fhir_system_interactions_register("batch", "transaction")
