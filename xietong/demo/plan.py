"""The demo province as plain data: regions, institutions and collaboration links.

Pure functions of (seed, scale): nothing here touches the database, so the same seed gives
the same province on every machine and a resumed seed recomputes exactly what a crash
interrupted. Region codes follow GB/T 2260 (the real codes of Henan and its 17 prefecture
cities, plus Jiyuan); everything below the cities is invented."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from xietong.directory.models import Service

from .names import VILLAGE_SECOND, PlaceNames

PROVINCE_CODE = "410000"
PROVINCE_NAME = "河南省"

# (code, name, short name, telephone area code)
CITIES: tuple[tuple[str, str, str, str], ...] = (
    ("410100", "郑州市", "郑州", "0371"),
    ("410200", "开封市", "开封", "0371"),
    ("410300", "洛阳市", "洛阳", "0379"),
    ("410400", "平顶山市", "平顶山", "0375"),
    ("410500", "安阳市", "安阳", "0372"),
    ("410600", "鹤壁市", "鹤壁", "0392"),
    ("410700", "新乡市", "新乡", "0373"),
    ("410800", "焦作市", "焦作", "0391"),
    ("410900", "濮阳市", "濮阳", "0393"),
    ("411000", "许昌市", "许昌", "0374"),
    ("411100", "漯河市", "漯河", "0395"),
    ("411200", "三门峡市", "三门峡", "0398"),
    ("411300", "南阳市", "南阳", "0377"),
    ("411400", "商丘市", "商丘", "0370"),
    ("411500", "信阳市", "信阳", "0376"),
    ("411600", "周口市", "周口", "0394"),
    ("411700", "驻马店市", "驻马店", "0396"),
    # A county-level city administered by the province directly; the network treats it
    # as a city (it has its own telemedicine sub-centre).
    ("419001", "济源市", "济源", "0391"),
)

# Six invented provincial hospitals (grade III-A).
PROVINCIAL_HOSPITALS: tuple[tuple[str, str], ...] = (
    ("豫州医科大学第一附属医院", "豫医一附院"),
    ("豫州医科大学第二附属医院", "豫医二附院"),
    ("河南省协同医院", "省协同医院"),
    ("河南省嵩岳医院", "省嵩岳医院"),
    ("河南省黄淮医院", "省黄淮医院"),
    ("河南省伏牛山医院", "省伏牛山医院"),
)

ROADS = ("人民路", "建设路", "中原路", "解放路", "文化路", "健康路", "胜利路", "和平路", "新华路")
LINKS_SINCE = dt.date(2015, 3, 1)


@dataclass(frozen=True)
class Scale:
    name: str
    counties_per_city: tuple[int, int]
    townships_per_county: tuple[int, int]
    villages_per_township: tuple[int, int]
    patients: int


SCALES = {
    "small": Scale("small", (2, 2), (2, 2), (2, 2), patients=300),
    "full": Scale("full", (6, 10), (5, 10), (3, 6), patients=100_000),
}


@dataclass(frozen=True)
class RegionSpec:
    code: str
    name: str
    level: str
    parent_code: str | None
    path: str


@dataclass(frozen=True)
class InstitutionSpec:
    code: str
    name: str
    short_name: str
    level: str
    kind: str
    grade: str
    region_code: str
    upline_code: str | None
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class DicomNodeSpec:
    """The PACS a county hospital sends its studies from, registered in the directory so
    that the platform's DICOM receiver accepts it."""

    institution_code: str
    ae_title: str
    note: str


@dataclass(frozen=True)
class LinkSpec:
    provider_code: str
    client_code: str
    service: str


@dataclass
class ProvincePlan:
    seed: int
    scale: Scale
    regions: list[RegionSpec] = field(default_factory=list)
    institutions: list[InstitutionSpec] = field(default_factory=list)
    links: list[LinkSpec] = field(default_factory=list)
    dicom_nodes: list[DicomNodeSpec] = field(default_factory=list)
    # Key institutions by the region they serve, for the later stages.
    provincial_hospitals: list[str] = field(default_factory=list)
    provincial_centre: str = ""
    province_authority: str = ""
    municipal_hospital: dict[str, str] = field(default_factory=dict)  # city code ->
    sub_centre: dict[str, str] = field(default_factory=dict)
    city_authority: dict[str, str] = field(default_factory=dict)
    county_hospital: dict[str, str] = field(default_factory=dict)  # county code ->
    county_authority: dict[str, str] = field(default_factory=dict)
    township_centre: dict[str, str] = field(default_factory=dict)  # township code ->
    village_clinic: dict[str, str] = field(default_factory=dict)  # village code ->
    counties_of: dict[str, list[RegionSpec]] = field(default_factory=dict)  # city code ->
    townships_of: dict[str, list[RegionSpec]] = field(default_factory=dict)  # county code ->
    villages_of: dict[str, list[RegionSpec]] = field(default_factory=dict)  # township code ->

    @property
    def cities(self) -> list[RegionSpec]:
        return [r for r in self.regions if r.level == "city"]

    @property
    def counties(self) -> list[RegionSpec]:
        return [r for r in self.regions if r.level == "county"]


def stage_rng(seed: int, stage: str) -> random.Random:
    # One stream per stage: a resumed seed that skips a finished stage still draws the
    # same numbers in the stages it runs.
    return random.Random(f"xietong-demo:{seed}:{stage}")


def _phone(rng: random.Random, area: str) -> str:
    return f"{area}-{rng.randint(6000_0000, 6999_9999)}"


def _address(rng: random.Random, place: str) -> str:
    return f"{place}{rng.choice(ROADS)}{rng.randint(1, 399)}号"


def province_plan(*, seed: int, scale: str) -> ProvincePlan:
    rng = stage_rng(seed, "province")
    plan = ProvincePlan(seed=seed, scale=SCALES[scale])
    province_path = f"{PROVINCE_CODE}/"
    plan.regions.append(RegionSpec(PROVINCE_CODE, PROVINCE_NAME, "province", None, province_path))
    _provincial_institutions(plan, rng)
    county_names = PlaceNames(rng)  # county names unique in the whole province
    for city_code, city_name, city_short, area in CITIES:
        city_path = f"{province_path}{city_code}/"
        plan.regions.append(RegionSpec(city_code, city_name, "city", PROVINCE_CODE, city_path))
        _city_institutions(plan, rng, city_code, city_name, city_short, area)
        plan.counties_of[city_code] = []
        low, high = plan.scale.counties_per_city
        number = 1
        for _i in range(rng.randint(low, high)):
            number += 1
            county_code = f"{city_code[:4]}{number:02d}"
            if county_code == city_code:  # Jiyuan's own code sits in its prefix
                number += 1
                county_code = f"{city_code[:4]}{number:02d}"
            county = RegionSpec(
                county_code,
                county_names.draw("县"),
                "county",
                city_code,
                f"{city_path}{county_code}/",
            )
            plan.regions.append(county)
            plan.counties_of[city_code].append(county)
            _county(plan, rng, county, city_code, area)
    _links(plan)
    return plan


def _provincial_institutions(plan: ProvincePlan, rng: random.Random) -> None:
    add = plan.institutions.append
    for i, (name, short) in enumerate(PROVINCIAL_HOSPITALS, start=1):
        code = f"P{PROVINCE_CODE}-{i:02d}"
        add(InstitutionSpec(code, name, short, "provincial", "hospital", "3A", PROVINCE_CODE,
                            None, _phone(rng, "0371"), _address(rng, "郑州市")))  # fmt: skip
        plan.provincial_hospitals.append(code)
    plan.provincial_centre = f"TC{PROVINCE_CODE}"
    add(InstitutionSpec(plan.provincial_centre, "河南省协同远程医学中心", "省远程医学中心",
                        "provincial", "telemedicine_centre", "", PROVINCE_CODE, None,
                        _phone(rng, "0371"), _address(rng, "郑州市")))  # fmt: skip
    plan.province_authority = f"A{PROVINCE_CODE}"
    add(InstitutionSpec(plan.province_authority, "河南省卫生健康委员会", "省卫健委",
                        "provincial", "authority", "", PROVINCE_CODE, None,
                        _phone(rng, "0371"), _address(rng, "郑州市")))  # fmt: skip


def _city_institutions(plan: ProvincePlan, rng: random.Random, code: str, name: str,
                       short: str, area: str) -> None:  # fmt: skip
    add = plan.institutions.append
    hub = plan.provincial_hospitals[(len(plan.municipal_hospital)) % len(plan.provincial_hospitals)]
    hospital = f"M{code}"
    grade = "3A" if rng.random() < 0.7 else "3B"
    add(InstitutionSpec(hospital, f"{name}协同中心医院", f"{short}中心医院", "municipal",
                        "hospital", grade, code, hub, _phone(rng, area),
                        _address(rng, name)))  # fmt: skip
    plan.municipal_hospital[code] = hospital
    centre = f"TC{code}"
    add(InstitutionSpec(centre, f"{name}远程医学分中心", f"{short}分中心", "municipal",
                        "telemedicine_centre", "", code, plan.provincial_centre,
                        _phone(rng, area), _address(rng, name)))  # fmt: skip
    plan.sub_centre[code] = centre
    authority = f"A{code}"
    add(InstitutionSpec(authority, f"{name}卫生健康委员会", f"{short}卫健委", "municipal",
                        "authority", "", code, plan.province_authority, _phone(rng, area),
                        _address(rng, name)))  # fmt: skip
    plan.city_authority[code] = authority


def _county(plan: ProvincePlan, rng: random.Random, county: RegionSpec, city_code: str,
            area: str) -> None:  # fmt: skip
    add = plan.institutions.append
    hospital = f"C{county.code}"
    grade = "3B" if rng.random() < 0.2 else "2A"
    add(InstitutionSpec(hospital, f"{county.name}人民医院", f"{county.name}医院", "county",
                        "hospital", grade, county.code, plan.municipal_hospital[city_code],
                        _phone(rng, area), _address(rng, county.name)))  # fmt: skip
    plan.county_hospital[county.code] = hospital
    # Each county hospital's PACS calls with an AE title made of the hospital's code (the
    # standard's 16 characters allow it), from any address: a demo has no network plan.
    plan.dicom_nodes.append(DicomNodeSpec(hospital, f"{hospital}_PACS", "放射科PACS"))
    authority = f"A{county.code}"
    add(InstitutionSpec(authority, f"{county.name}卫生健康委员会", f"{county.name}卫健委",
                        "county", "authority", "", county.code, plan.city_authority[city_code],
                        _phone(rng, area), _address(rng, county.name)))  # fmt: skip
    plan.county_authority[county.code] = authority
    townships = PlaceNames(rng)
    plan.townships_of[county.code] = []
    low, high = plan.scale.townships_per_county
    for i in range(rng.randint(low, high)):
        is_town = rng.random() < 0.6
        # GB/T 2260's township digits: 1xx for towns (镇), 2xx for townships (乡).
        code = f"{county.code}{(100 if is_town else 200) + i + 1:03d}"
        township = RegionSpec(code, townships.draw("镇" if is_town else "乡"), "township",
                              county.code, f"{county.path}{code}/")  # fmt: skip
        plan.regions.append(township)
        plan.townships_of[county.code].append(township)
        centre = f"T{code}"
        add(InstitutionSpec(centre, f"{county.name}{township.name}卫生院",
                            f"{township.name}卫生院", "township", "health_centre", "1", code,
                            hospital, _phone(rng, area),
                            _address(rng, township.name)))  # fmt: skip
        plan.township_centre[code] = centre
        _villages(plan, rng, township, centre)


def _villages(plan: ProvincePlan, rng: random.Random, township: RegionSpec, centre: str) -> None:
    names = PlaceNames(rng)
    plan.villages_of[township.code] = []
    low, high = plan.scale.villages_per_township
    for i in range(rng.randint(low, high)):
        code = f"{township.code}{200 + i + 1:03d}"  # 2xx: village committees
        village = RegionSpec(code, names.draw("村", VILLAGE_SECOND), "village", township.code,
                             f"{township.path}{code}/")  # fmt: skip
        plan.regions.append(village)
        plan.villages_of[township.code].append(village)
        clinic = f"V{code}"
        plan.institutions.append(
            InstitutionSpec(clinic, f"{township.name}{village.name}卫生室",
                            f"{village.name}卫生室", "village", "clinic", "", code, centre)
        )  # fmt: skip
        plan.village_clinic[code] = clinic


def _links(plan: ProvincePlan) -> None:
    """Every service flows down the levels; the telemedicine centres also take
    consultations from every care institution below them."""
    pairs: list[tuple[str, str]] = []
    provincial = [*plan.provincial_hospitals, plan.provincial_centre]
    for city in plan.cities:
        municipal = plan.municipal_hospital[city.code]
        pairs += [(p, municipal) for p in provincial]
        for county in plan.counties_of[city.code]:
            county_hospital = plan.county_hospital[county.code]
            pairs += [(municipal, county_hospital), (plan.sub_centre[city.code], county_hospital)]
            for township in plan.townships_of[county.code]:
                centre = plan.township_centre[township.code]
                pairs.append((county_hospital, centre))
                pairs += [
                    (centre, plan.village_clinic[v.code]) for v in plan.villages_of[township.code]
                ]
    plan.links = [LinkSpec(p, c, s) for p, c in pairs for s in Service.values]
    seen = {(link.provider_code, link.client_code, link.service) for link in plan.links}
    # The provincial hospitals also take referrals straight from the county hospitals (the
    # province-county network of seed 003), so the demo's county doctors refer up to the
    # hospital whose referral desk and expert sign in.
    for county_hospital in plan.county_hospital.values():
        for hospital in plan.provincial_hospitals:
            key = (hospital, county_hospital, Service.REFERRAL.value)
            if key not in seen:
                seen.add(key)
                plan.links.append(LinkSpec(*key))
    for city in plan.cities:
        below_city: list[str] = []
        for county in plan.counties_of[city.code]:
            below_city.append(plan.county_hospital[county.code])
            for township in plan.townships_of[county.code]:
                below_city.append(plan.township_centre[township.code])
                below_city += [plan.village_clinic[v.code] for v in plan.villages_of[township.code]]
        for centre in (plan.provincial_centre, plan.sub_centre[city.code]):
            for client in below_city:
                key = (centre, client, Service.CONSULTATION.value)
                if key not in seen:
                    seen.add(key)
                    plan.links.append(LinkSpec(*key))


def demo_counties(plan: ProvincePlan) -> tuple[RegionSpec, RegionSpec]:
    """County A (the first of Zhengzhou) and a county of another city (the first of
    Luoyang): where the demo's county doctors work."""
    return plan.counties_of["410100"][0], plan.counties_of["410300"][0]
