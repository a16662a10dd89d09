"""The "健康档案" card on the patient's page: how many entries of each kind the hospitals sent
for the patient that the reader reads (one query, sharing.py), and the way to the record's page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count
from django.http import HttpRequest

from xietong.core.actor import Actor
from xietong.patients.access import can_view_patients
from xietong.patients.sections import PatientSection

from .ehr.kinds import KIND_OF_TYPE, KINDS, TIMELINE_TYPES
from .ehr.selectors import ENTERED_IN_ERROR
from .models import FhirResource
from .sharing import resources_readable_q

if TYPE_CHECKING:
    from xietong.patients.models import Patient


def ehr_section(request: HttpRequest, actor: Actor, patient: Patient) -> PatientSection | None:
    # The page fetched the patient through get_patient_for (which recorded the read); the
    # counts name no entry, and the record's own page records what it shows.
    if not can_view_patients(actor):
        return None
    counted = (
        FhirResource.objects.filter(patient=patient, resource_type__in=TIMELINE_TYPES)
        .filter(resources_readable_q(actor=actor, patient_id=patient.pk))
        .exclude(status=ENTERED_IN_ERROR)
        .values_list("resource_type")
        .annotate(n=Count("id"))
        .order_by()
    )
    per_kind: dict[str, int] = {}
    for resource_type, n in counted:
        code = KIND_OF_TYPE[resource_type].code
        per_kind[code] = per_kind.get(code, 0) + n
    counts = [(k, per_kind[k.code]) for k in KINDS if per_kind.get(k.code)]
    return PatientSection("exchange/_patient_section.html", {"ehr_counts": counts}, order=5)
