"""The demo's residents as plain data (see plan.py for why): invented names, valid
GB 11643 resident IDs whose area code is the resident's county, mobile numbers, and the
county hospital or township centre that registered them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from xietong.patients.residentid import resident_id_check_char

from .names import person_name
from .plan import ProvincePlan, demo_counties, stage_rng

# The demo's doctors find this many of their own patients whatever the scale.
ANCHORED_PER_DOCTOR = 20
EARLIEST_BIRTH = dt.date(1935, 1, 1)
LATEST_BIRTH = dt.date(2024, 12, 31)
MOBILE_PREFIXES = ("135", "136", "137", "138", "139", "150", "151", "158", "159", "177", "186",
                   "187", "188", "199")  # fmt: skip
ETHNICITIES = (("汉族", 0.97), ("回族", 0.02), ("满族", 0.005), ("蒙古族", 0.005))


@dataclass(frozen=True)
class PatientSpec:
    uuid: uuid.UUID
    name: str
    sex: str  # GB/T 2261.1: "1" male, "2" female
    birth_date: dt.date
    resident_id: str
    phone: str
    address_region_code: str
    address: str
    ethnicity: str
    institution_code: str


def resident_id(area_code: str, birth: dt.date, sequence: int) -> str:
    body = f"{area_code}{birth:%Y%m%d}{sequence:03d}"
    return body + resident_id_check_char(body)


def patient_plan(plan: ProvincePlan) -> Iterator[PatientSpec]:
    """`plan.scale.patients` residents, the first 20 registered at county A's hospital and
    the next 20 at the other demo county's hospital."""
    rng = stage_rng(plan.seed, "patients")
    county_a, county_b = demo_counties(plan)
    counties = plan.counties
    city_name = {r.code: r.name for r in plan.regions if r.level == "city"}
    used: set[str] = set()
    span = (LATEST_BIRTH - EARLIEST_BIRTH).days
    ethnic_names = [name for name, _w in ETHNICITIES]
    ethnic_weights = [w for _name, w in ETHNICITIES]
    for i in range(plan.scale.patients):
        if i < ANCHORED_PER_DOCTOR:
            county, at_county_hospital = county_a, True
        elif i < 2 * ANCHORED_PER_DOCTOR:
            county, at_county_hospital = county_b, True
        else:
            county, at_county_hospital = rng.choice(counties), rng.random() < 0.4
        township = rng.choice(plan.townships_of[county.code])
        village = rng.choice(plan.villages_of[township.code])
        institution = (
            plan.county_hospital[county.code]
            if at_county_hospital
            else plan.township_centre[township.code]
        )
        male = rng.random() < 0.5
        birth = EARLIEST_BIRTH + dt.timedelta(days=rng.randrange(span + 1))
        while True:
            # Odd sequence numbers are men's, even ones women's.
            number = resident_id(county.code, birth, rng.randrange(1 if male else 2, 1000, 2))
            if number not in used:
                used.add(number)
                break
        city = city_name[county.parent_code or ""]
        yield PatientSpec(
            uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
            name=person_name(rng, "M" if male else "F"),
            sex="1" if male else "2",
            birth_date=birth,
            resident_id=number,
            phone=rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}",
            address_region_code=village.code,
            address=f"{city}{county.name}{township.name}{village.name}{rng.randint(1, 120)}号",
            ethnicity=rng.choices(ethnic_names, ethnic_weights)[0],
            institution_code=institution,
        )
