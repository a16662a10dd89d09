"""The generator as plain data: deterministic for a seed, real codes above the county,
valid resident IDs below it."""

from __future__ import annotations

from collections import Counter

from xietong.demo.plan import CITIES, demo_counties, province_plan
from xietong.demo.residents import patient_plan
from xietong.demo.staff import staff_plan
from xietong.patients.residentid import resident_id_parse


def test_the_same_seed_gives_the_same_province() -> None:
    first, again = province_plan(seed=7, scale="small"), province_plan(seed=7, scale="small")
    assert first.regions == again.regions
    assert first.institutions == again.institutions
    assert first.links == again.links
    assert staff_plan(first) == staff_plan(again)
    assert list(patient_plan(first)) == list(patient_plan(again))
    other = province_plan(seed=8, scale="small")
    assert [r.name for r in other.regions] != [r.name for r in first.regions]
    assert [p.name for p in patient_plan(other)] != [p.name for p in patient_plan(first)]


def test_henan_and_its_cities_have_their_real_codes() -> None:
    plan = province_plan(seed=20261122, scale="small")
    cities = {r.code: r.name for r in plan.regions if r.level == "city"}
    assert cities["410100"] == "郑州市" and cities["411700"] == "驻马店市"
    assert cities["419001"] == "济源市"
    assert len(cities) == len(CITIES) == 18
    by_level = Counter(r.level for r in plan.regions)
    assert by_level == {"province": 1, "city": 18, "county": 36, "township": 72, "village": 144}
    for region in plan.regions:
        # Each code starts with its parent's significant digits.
        prefix = {"city": 2, "county": 4, "township": 6, "village": 9}.get(region.level, 0)
        assert region.code[:prefix] == (region.parent_code or "")[:prefix]
        assert len(region.code) == {"township": 9, "village": 12}.get(region.level, 6)
        assert region.path.endswith(f"{region.code}/")
    assert len({r.code for r in plan.regions}) == len(plan.regions)


def test_institutions_links_and_uplines() -> None:
    plan = province_plan(seed=20261122, scale="small")
    kinds = Counter((i.level, i.kind) for i in plan.institutions)
    assert kinds[("provincial", "hospital")] == 6
    assert kinds[("provincial", "telemedicine_centre")] == 1
    assert kinds[("municipal", "telemedicine_centre")] == 18
    assert kinds[("county", "hospital")] == 36
    assert kinds[("county", "authority")] == 36
    assert all(i.grade == "3A" for i in plan.institutions if i.level == "provincial"
               and i.kind == "hospital")  # fmt: skip
    codes = {i.code: i for i in plan.institutions}
    for inst in plan.institutions:
        if inst.upline_code:
            assert codes[inst.upline_code].level != inst.level or inst.kind == "telemedicine_centre"
    links = {(link.provider_code, link.client_code, link.service) for link in plan.links}
    county_a = demo_counties(plan)[0]
    county_hospital = plan.county_hospital[county_a.code]
    township = plan.township_centre[plan.townships_of[county_a.code][0].code]
    # Down the levels for every service; the centres also take consultations from below.
    for service in ("consultation", "referral", "imaging", "ecg", "pathology", "education"):
        assert (plan.municipal_hospital["410100"], county_hospital, service) in links
        assert (plan.provincial_hospitals[0], plan.municipal_hospital["410100"], service) in links
        assert (county_hospital, township, service) in links
    assert (plan.provincial_centre, township, "consultation") in links
    assert (plan.sub_centre["410100"], township, "consultation") in links
    assert (plan.provincial_centre, township, "referral") not in links


def test_no_real_hospital_names_and_synthetic_places() -> None:
    plan = province_plan(seed=20261122, scale="small")
    names = [i.name for i in plan.institutions]
    assert len(set(names)) == len(names)
    assert "郑州大学第一附属医院" not in names
    assert not any("郑州大学" in name for name in names)


def test_residents_have_valid_ids_of_their_county() -> None:
    plan = province_plan(seed=20261122, scale="small")
    residents = list(patient_plan(plan))
    assert len(residents) == 300
    county_of = {}
    for county in plan.counties:
        county_of[plan.county_hospital[county.code]] = county.code
        for township in plan.townships_of[county.code]:
            county_of[plan.township_centre[township.code]] = county.code
    for person in residents:
        parsed = resident_id_parse(person.resident_id)
        assert parsed.birth_date == person.birth_date
        assert parsed.sex == person.sex
        assert parsed.area_code == county_of[person.institution_code]
        assert person.phone.isdigit() and len(person.phone) == 11
    assert len({p.resident_id for p in residents}) == len(residents)
    county_a, county_b = demo_counties(plan)
    at = Counter(p.institution_code for p in residents)
    assert at[plan.county_hospital[county_a.code]] >= 20
    assert at[plan.county_hospital[county_b.code]] >= 20


def test_full_scale_has_enough_experts() -> None:
    plan = province_plan(seed=20261122, scale="full")
    assert plan.scale.patients >= 100_000
    staff = staff_plan(plan)
    experts = [p for p in staff if p.accepts is not None]
    assert len(experts) >= 3000
    assert {p.title for p in experts} == {"chief", "associate_chief"}
    levels = {p.institution_code[0] for p in experts}
    assert levels == {"P", "M"}  # provincial and municipal hospitals only
    assert 6 * 18 <= len(plan.counties) <= 10 * 18
