"""A patient's record across hospitals: what `GET /fhir/R4/Patient/<id>/$everything` answers.

A resident has one Patient resource per hospital that pushed one, each linked to the same
patient of ours (linking.py). Everything is those Patient resources and whatever refers to
them, from every hospital, of what the reader reads (sharing.py, docs/adr/0033). A plain
selector, so pages other than the FHIR surface may ask it too."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Value, When

from xietong.core.actor import Actor
from xietong.core.keys import uuid_or_none
from xietong.core.reads import SHOW, Intent, read_recorded, read_refused
from xietong.fhir.registry import DEFAULT_COUNT, SearchPage

from .models import FhirResource
from .search import page_cut
from .sharing import resources_readable_q


def patient_everything(
    *,
    actor: Actor,
    resource_id: str,
    count: int = DEFAULT_COUNT,
    offset: int = 0,
    since: dt.datetime | None = None,
    types: list[str] | None = None,
    total: bool = True,
    intent: Intent = SHOW,
) -> SearchPage | None:
    """One page of the patient's resources: their Patient resources first, then the newest
    clinical date first (undated last). None, with the refusal recorded, when the id names
    no Patient resource or one whose patient the reader does not see (or nobody's yet).
    Each page is one read naming the patient."""
    key = uuid_or_none(resource_id)
    reference = f"Patient/{resource_id}"
    # The Patient resource named must itself be one the reader reads.
    seen = FhirResource.objects.filter(resources_readable_q(actor=actor), pk=OuterRef("pk"))
    found = (
        FhirResource.objects.filter(resource_type="Patient", logical_id=key)
        .annotate(seen=Exists(seen))
        .values("patient_id", "seen")
        .first()
        if key
        else None
    )
    if found is None or found["patient_id"] is None or not found["seen"]:
        read_refused(actor=actor, resource_type="FhirResource", resource_id=reference,
                     patient_id=found["patient_id"] if found else None)  # fmt: skip
        return None
    patient_id = found["patient_id"]
    # What refers to one of the patient's Patient resources, though stored before the link.
    linked = [
        f"Patient/{logical_id}"
        for logical_id in FhirResource.objects.filter(
            resource_type="Patient", patient_id=patient_id
        ).values_list("logical_id", flat=True)
    ]
    rows = FhirResource.objects.filter(
        Q(patient_id=patient_id) | Q(patient__isnull=True, subject__in=linked),
        resources_readable_q(actor=actor, patient_id=patient_id),
    )
    if since is not None:
        rows = rows.filter(last_updated__gte=since)
    if types:
        rows = rows.filter(resource_type__in=types)
    rows = rows.annotate(
        first=Case(When(resource_type="Patient", then=Value(0)), default=Value(1),
                   output_field=IntegerField())
    ).order_by("first", F("date").desc(nulls_last=True), "pk")  # fmt: skip
    page, counted, more = page_cut(rows, total_wanted=total, count=count, offset=offset)
    read_recorded(
        actor=actor, intent=intent, resource_type="FhirResource",
        resource_id=f"{reference}/$everything", patient_id=patient_id,
        detail={"operation": "everything", "count": len(page), "offset": offset},
    )  # fmt: skip
    return SearchPage(matches=[r.content for r in page], total=counted, more=more)
