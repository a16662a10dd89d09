"""A resident's record pushed by two hospitals, for the search and $everything tests.

The county hospital pushes its Patient resource and two glucose results on 21 November; the
city hospital, which also cares for the resident, its own Patient resource, a later result
and an undated allergy on 26 November. Another resident of the county hospital has a result
too, which never shows in the first one's record. The resident consented to sharing at both
hospitals, so each reads what the other pushed (docs/adr/0033, ground b)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, cast

import time_machine
from django.test import Client

from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import MembershipFactory
from xietong.accounts.tokens import api_token_issue
from xietong.directory.models import Institution
from xietong.patients.models import CareReason, CareRelationship, Patient
from xietong.patients.tests.factories import make_patient

from ..models import FhirResource
from .factories import (
    bundle,
    make_gateway,
    observation_entry,
    patient_entry,
    push,
    sharing_consented,
)

COUNTY_PUSHED = dt.datetime(2026, 11, 21, 2, 0, tzinfo=dt.UTC)
CITY_PUSHED = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)


@dataclass
class Record:
    county: Institution
    city: Institution
    patient: Patient
    county_patient_id: str  # the logical ids of each hospital's Patient resource
    city_patient_id: str
    other_patient_id: str


def bearer_for(institution: Institution, roles: tuple[str, ...] = ("requester",)) -> str:
    membership = cast(Membership, MembershipFactory(institution=institution, roles=list(roles)))
    _token, key = api_token_issue(membership=membership)
    return f"Bearer {key}"


def doctor_at(institution: Institution) -> Client:
    return Client(headers={"authorization": bearer_for(institution)})


def allergy_entry(institution: Institution, number: str, subject: dict[str, Any]) -> Any:
    system = f"urn:xietong:source:{institution.code}:allergy"
    return {
        "fullUrl": f"urn:uuid:{uuid.uuid4()}",
        "resource": {
            "resourceType": "AllergyIntolerance",
            "identifier": [{"system": system, "value": number}],
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "91936005"}],
                     "text": "青霉素过敏"},
            "patient": subject,
        },
        "request": {"method": "POST", "url": "AllergyIntolerance",
                    "ifNoneExist": f"identifier={system}|{number}"},
    }  # fmt: skip


def _logical_id(institution: Institution, number: str) -> str:
    row = FhirResource.objects.get(
        resource_type="Patient",
        tokens__system=f"urn:xietong:mrn:{institution.code}",
        tokens__value=number,
    )
    return str(row.logical_id)


def record_pushed(extra_results: int = 0) -> Record:
    """The record above; `extra_results` more county results (dated in October) make pages."""
    county_gateway, county_secret = make_gateway()
    city_gateway, city_secret = make_gateway()
    county, city = county_gateway.institution, city_gateway.institution
    ours = make_patient(county)
    CareRelationship.objects.create(patient=ours, institution=city, reason=CareReason.CARES)
    # The resident consented to sharing at both hospitals: each reads what the other pushed.
    sharing_consented(ours, county)
    sharing_consented(ours, city)
    other = make_patient(county)
    resident = ours.resident_id or ""

    def result(
        where: Institution, number: str, subject: Any, effective: str, code: str = "2345-7"
    ) -> Any:
        entry = observation_entry(where, number, subject, effective=effective)
        entry["resource"]["code"]["coding"][0]["code"] = code
        return entry

    with time_machine.travel(COUNTY_PUSHED, tick=False):
        mine = patient_entry(county, "A001", resident_id=resident)
        theirs = patient_entry(county, "A002", resident_id=other.resident_id or "", name="李四")
        entries = [
            mine,
            theirs,
            result(county, "R1", {"reference": mine["fullUrl"]}, "2026-10-01T09:00:00+08:00"),
            result(
                county,
                "R2",
                {"reference": mine["fullUrl"]},
                "2026-11-20T09:00:00+08:00",
                code="718-7",
            ),
            result(county, "R9", {"reference": theirs["fullUrl"]}, "2026-11-20T10:00:00+08:00"),
        ]
        entries += [
            result(
                county,
                f"X{n:03d}",
                {"reference": mine["fullUrl"]},
                f"2026-10-{2 + n % 27:02d}T08:{n % 60:02d}:00+08:00",
            )
            for n in range(extra_results)
        ]
        assert push(county_secret, bundle(entries)).status_code == 200
    with time_machine.travel(CITY_PUSHED, tick=False):
        city_mine = patient_entry(city, "B001", resident_id=resident)
        subject = {"reference": city_mine["fullUrl"]}
        entries = [
            city_mine,
            result(city, "R3", subject, "2026-11-25T15:30:00+08:00"),
            allergy_entry(city, "AL1", subject),
        ]
        assert push(city_secret, bundle(entries)).status_code == 200
    return Record(
        county=county,
        city=city,
        patient=ours,
        county_patient_id=_logical_id(county, "A001"),
        city_patient_id=_logical_id(city, "B001"),
        other_patient_id=_logical_id(county, "A002"),
    )


def numbers(bundle_json: dict[str, Any], mode: str = "match") -> list[str]:
    """The hospital numbers (first identifier) of the Bundle's entries of one search mode."""
    return [
        e["resource"]["identifier"][0]["value"]
        for e in bundle_json.get("entry", [])
        if e["search"]["mode"] == mode
    ]
