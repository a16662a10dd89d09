"""The four databases of seed 004 (全员人口信息库, 卫生资源库, 电子病历库, 健康档案库) as a
health authority sees them for its region: what each holds and how fresh it is, counted from
the data the platform has (the patient index, the directory, the resources hospitals pushed).
Counts only, no one named: the page needs no audited read. One grouped query per database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Figures in their own context: "Institutions" and the like name menus elsewhere.
from django.utils.translation import pgettext_lazy as _f

from xietong.directory.models import Institution, Practitioner, Region
from xietong.patients.models import Patient

from ..models import FhirResource
from .progress import Scope


@dataclass(frozen=True)
class Database:
    code: str
    name: Promise
    figures: list[tuple[Promise, int]]
    updated_at: dt.datetime | None


def four_databases(*, scope: Scope, region: Region | None) -> list[Database]:
    path = region.path if region is not None else scope.path
    people = Patient.objects.filter(address_region__path__startswith=path).aggregate(
        residents=Count("id"), updated=Max("updated_at")
    )
    linked = FhirResource.objects.filter(
        resource_type="Patient", patient__address_region__path__startswith=path
    ).aggregate(n=Count("id"))
    places = Institution.objects.filter(active=True, region__path__startswith=path).aggregate(
        institutions=Count("id"), updated=Max("updated_at")
    )
    staff = Practitioner.objects.filter(institution__region__path__startswith=path).aggregate(
        practitioners=Count("id"),
        departments=Count("department", distinct=True),
        updated=Max("updated_at"),
    )
    records = FhirResource.objects.filter(source_institution__region__path__startswith=path)
    emr = records.aggregate(
        resources=Count("id"),
        sources=Count("source_institution", distinct=True),
        updated=Max("last_updated"),
        residents=Count("patient", distinct=True, filter=Q(patient__isnull=False)),
        encounters=Count("id", filter=Q(resource_type="Encounter")),
        results=Count("id", filter=Q(resource_type="Observation")),
    )
    return [
        Database(
            "population", _("Population database"),
            [(_f("four databases", "Residents"), people["residents"]),
             (_f("four databases", "Source records linked to them"), linked["n"])],
            people["updated"],
        ),
        Database(
            "resources", _("Health resources database"),
            [(_f("four databases", "Institutions"), places["institutions"]),
             (_f("four databases", "Departments"), staff["departments"]),
             (_f("four databases", "Practitioners"), staff["practitioners"])],
            _latest(places["updated"], staff["updated"]),
        ),
        Database(
            "emr", _("Electronic medical records database"),
            [(_f("four databases", "Resources received"), emr["resources"]),
             (_f("four databases", "Institutions sending"), emr["sources"]),
             (_f("four databases", "Visits"), emr["encounters"]),
             (_f("four databases", "Results"), emr["results"])],
            emr["updated"],
        ),
        Database(
            "ehr", _("Health records database"),
            [(_f("four databases", "Residents with a record"), emr["residents"])],
            emr["updated"],
        ),
    ]  # fmt: skip


def _latest(*moments: dt.datetime | None) -> dt.datetime | None:
    known = [m for m in moments if m is not None]
    return max(known) if known else None
