"""The four databases of seed 004 as the health authority sees them: each database's figures
and freshness for its region, in Chinese; nobody else sees the page."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xietong.patients.tests.factories import make_patient

from .test_connection import PAGE, World, _client, _push_results, _text, world_make

pytestmark = pytest.mark.django_db
DATABASES = PAGE + "databases/"


@pytest.fixture
def world() -> World:
    return world_make()


def _figures(page: str) -> dict[str, dict[str, str]]:
    """{database: {label: number}} as the page shows them."""
    out = {}
    for code, body in re.findall(r'data-database="(\w+)"(.*?)</section>', page):
        pairs = re.findall(r"<dt[^>]*>([^<]+)</dt><dd[^>]*>(\d+)</dd>", body)
        out[code] = {label: number for label, number in pairs}
        out[code]["最近更新"] = "从未" if "从未" in body else "known"
    return out


def test_each_database_is_summarised_for_the_region(world: World) -> None:
    for _resident in range(3):
        make_patient(world.hospital_a, address_region=world.county_a)
    make_patient(world.hospital_b, address_region=world.county_b)
    _push_results(world, "d1", ["R1", "R2"])  # hospital A: a Patient and two results
    page = _text(_client(world.province_supervisor).get(DATABASES))
    assert "四大数据库" in page
    figures = _figures(page)
    assert figures["population"]["居民"] == "4"
    assert figures["resources"]["机构"] == "6"  # four care institutions, two authorities
    assert figures["emr"]["收到的资源"] == "3"
    assert figures["emr"]["检验检查结果"] == "2"
    assert figures["emr"]["报送机构"] == "1"
    assert figures["emr"]["最近更新"] == "known"
    # Narrowed to the other county: its residents, nothing received from it.
    county_b = _figures(
        _text(_client(world.province_supervisor).get(DATABASES, {"region": "990103"}))
    )
    assert county_b["population"]["居民"] == "1"
    assert county_b["emr"]["收到的资源"] == "0"
    assert county_b["emr"]["最近更新"] == "从未"


def test_the_county_authority_sees_its_county_and_a_doctor_nothing(world: World) -> None:
    make_patient(world.hospital_b, address_region=world.county_b)
    county = _figures(_text(_client(world.county_supervisor).get(DATABASES)))
    assert county["population"]["居民"] == "0"  # the one resident lives in the other county
    assert _client(world.doctor).get(DATABASES).status_code == 404


def test_the_page_costs_the_same_however_much_data(world: World) -> None:
    client = _client(world.province_supervisor)
    client.get(DATABASES)  # the session warmed

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(DATABASES).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for n in range(5):
        make_patient(world.hospital_a, address_region=world.county_a)
        _push_results(world, f"q{n}", [f"Q{n}"])
    assert queries() == few
