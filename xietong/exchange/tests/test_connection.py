"""Connection progress: each gateway's state from its heartbeat, what it sent per type per
day, N of M hospitals connected, and who sees which gateways."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, cast

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xietong.accounts.models import User
from xietong.accounts.tests.factories import make_membership
from xietong.directory.models import Institution, Region
from xietong.directory.tests.factories import InstitutionFactory, RegionFactory

from ..connection import progress
from ..models import ExchangeMessage, Gateway, ResourceProvenance
from .factories import bundle, make_gateway, observation_entry, patient_entry, push

pytestmark = pytest.mark.django_db
PAGE = "/exchange/connection/"
NOW = dt.datetime(2026, 12, 5, 10, 0, tzinfo=dt.UTC)  # 18:00 in Beijing


@pytest.fixture(autouse=True)
def _thresholds(settings: Any) -> None:
    settings.XT_GATEWAY_LATE_AFTER_S = 180
    settings.XT_GATEWAY_SILENT_AFTER_S = 900


def test_the_state_follows_the_last_heartbeat() -> None:
    def state(seconds_ago: float | None, active: bool = True) -> str:
        at = None if seconds_ago is None else NOW - dt.timedelta(seconds=seconds_ago)
        return progress.gateway_state(active=active, heartbeat_at=at, now=NOW)

    assert state(0) == state(180) == "connected"
    assert state(181) == state(900) == "late"
    assert state(901) == state(None) == "silent"
    assert state(5, active=False) == "revoked"


def _region(code: str, name: str, level: str, parent: Region | None = None) -> Region:
    return cast(Region, RegionFactory(code=code, name=name, level=level, parent=parent))


def _institution(region: Region, grade: str, **kwargs: Any) -> Institution:
    return cast(Institution, InstitutionFactory(region=region, grade=grade, **kwargs))


@dataclass
class World:
    county_a: Region
    county_b: Region
    hospital_a: Institution
    hospital_b: Institution
    township_a: Institution
    province_supervisor: User
    county_supervisor: User
    admin: User
    doctor: User
    connected: Gateway
    late: Gateway
    silent: Gateway
    revoked: Gateway
    secret_a: str
    now: dt.datetime


def _beat(gateway: Gateway, now: dt.datetime, seconds_ago: float | None, **fields: Any) -> None:
    at = None if seconds_ago is None else now - dt.timedelta(seconds=seconds_ago)
    Gateway.objects.filter(pk=gateway.pk).update(heartbeat_at=at, **fields)
    gateway.refresh_from_db()


@pytest.fixture
def world() -> World:
    return world_make()


def world_make() -> World:
    """Two counties of a province, their hospitals' gateways in each state, and who looks."""
    province = _region("990000", "演示省", "province")
    city = _region("990100", "一市", "city", province)
    county_a = _region("990102", "甲县", "county", city)
    county_b = _region("990103", "乙县", "county", city)
    hospital_a = _institution(county_a, "2A", name="甲县人民医院")
    hospital_b = _institution(county_b, "3B", name="乙县中心医院")
    _institution(county_b, "2B", name="乙县中医院")  # level II, no gateway
    township_a = _institution(county_a, "", level="township", kind="health_centre",
                              name="甲县城关镇卫生院")  # fmt: skip
    authority = _institution(province, "", kind="authority", name="演示省卫健委")
    county_authority = _institution(county_a, "", kind="authority", name="甲县卫健局")
    connected, secret_a = make_gateway(hospital_a)
    late, _s = make_gateway(hospital_b)
    silent, _s = make_gateway(township_a)
    revoked, _s = make_gateway(hospital_b)
    Gateway.objects.filter(pk=revoked.pk).update(active=False)
    # The heartbeats at fixed times before the moment the tests look from (the pages look
    # from the clock's now, a moment after).
    now = timezone.now()
    _beat(connected, now, 60, queue_depth=3, oldest_waiting_s=125.0, errors_last_hour=1)
    _beat(late, now, 600)
    _beat(silent, now, None)
    _beat(revoked, now, 30)
    return World(
        county_a=county_a, county_b=county_b, hospital_a=hospital_a, hospital_b=hospital_b,
        township_a=township_a,
        province_supervisor=make_membership(institution=authority, roles=["supervisor"]).user,
        county_supervisor=make_membership(institution=county_authority,
                                          roles=["supervisor"]).user,
        admin=make_membership(institution=authority, roles=["platform_admin"]).user,
        doctor=make_membership(institution=hospital_a, roles=["requester"]).user,
        connected=connected, late=late, silent=silent, revoked=revoked, secret_a=secret_a,
        now=now,
    )  # fmt: skip


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def _text(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", response.content.decode())


def _listed(page: str) -> set[str]:
    return set(re.findall(r'data-gateway="([0-9a-f-]+)"', page))


def test_each_state_lists_its_gateways_at_a_fixed_time(world: World) -> None:
    scope = progress.Scope(path="", name="")

    def listed(state: str) -> set[int]:
        rows = progress.connection_gateways(scope=scope, region=None, state=state, now=world.now)
        return {g.pk for g in rows}

    assert listed("connected") == {world.connected.pk}
    assert listed("late") == {world.late.pk}
    assert listed("silent") == {world.silent.pk}
    assert listed("revoked") == {world.revoked.pk}
    # The list's filter and the one gateway's state are the same rule.
    for gateway in Gateway.objects.all():
        state = progress.gateway_state(
            active=gateway.active, heartbeat_at=gateway.heartbeat_at, now=world.now
        )
        assert gateway.pk in listed(state)
    counts = progress.connection_progress(scope=scope, region=None, now=world.now)
    assert counts.states == {"connected": 1, "late": 1, "silent": 1, "revoked": 1}


def test_n_of_m_counts_level_ii_and_above_hospitals_that_have_reported(world: World) -> None:
    scope = progress.Scope(path="990000/", name="演示省")
    counts = progress.connection_progress(scope=scope, region=None, now=world.now)
    # M: the three graded hospitals (the township centre and the authorities are not);
    # N: hospital A and hospital B (late, but in use and heard from). The revoked gateway
    # alone would not count; the township centre's gateway is not counted in N of M.
    assert (counts.connected_hospitals, counts.hospitals) == (2, 3)
    county_b = progress.connection_progress(scope=scope, region=world.county_b, now=world.now)
    assert (county_b.connected_hospitals, county_b.hospitals) == (1, 2)
    Gateway.objects.filter(pk=world.late.pk).update(active=False)
    county_b = progress.connection_progress(scope=scope, region=world.county_b, now=world.now)
    assert (county_b.connected_hospitals, county_b.hospitals) == (0, 2)


def _push_results(world: World, message: str, results: list[str]) -> None:
    patient = patient_entry(world.hospital_a, "M001", full_url=f"urn:uuid:{message}-p")
    entries = [patient] + [
        observation_entry(world.hospital_a, r, {"reference": patient["fullUrl"]}) for r in results
    ]
    response = push(world.secret_a, bundle(entries, message_id=message))
    assert response.status_code == 200, response.content


def _received(message: str, at: dt.datetime) -> None:
    row = ExchangeMessage.objects.get(message_id=message)
    ExchangeMessage.objects.filter(pk=row.pk).update(received_at=at)
    ResourceProvenance.objects.filter(message=row).update(received_at=at)


def test_resources_are_counted_per_type_per_local_day(world: World) -> None:
    _push_results(world, "m1", ["R1", "R2"])  # a Patient and two Observations
    _push_results(world, "m2", ["R3"])  # the Patient found again: one Observation
    _push_results(world, "m3", ["R4"])
    _push_results(world, "m4", ["R5"])
    # 00:30 in Beijing on 5 December is still 4 December in UTC.
    _received("m1", dt.datetime(2026, 12, 4, 16, 30, tzinfo=dt.UTC))
    _received("m2", dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC))
    _received("m3", dt.datetime(2026, 12, 3, 15, 0, tzinfo=dt.UTC))  # 23:00 on the 3rd
    _received("m4", dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC))  # before the week
    tables = progress.resources_per_day(gateway_ids=[world.connected.pk], now=NOW)
    table = tables[world.connected.pk]
    assert table.days[0] == dt.date(2026, 11, 29) and table.days[-1] == dt.date(2026, 12, 5)
    assert table.rows == [
        ("Observation", [0, 0, 0, 0, 1, 0, 3], 4),
        ("Patient", [0, 0, 0, 0, 0, 0, 1], 1),
    ]
    region = progress.region_resources_per_day(
        scope=progress.Scope(path="", name=""), region=world.county_a, now=NOW
    )
    assert region.rows == table.rows
    assert region.messages == [0, 0, 0, 0, 1, 0, 2] and region.messages_total == 3
    assert not progress.region_resources_per_day(
        scope=progress.Scope(path="", name=""), region=world.county_b, now=NOW
    )


def _all(world: World) -> set[str]:
    return {str(g.uuid) for g in (world.connected, world.late, world.silent, world.revoked)}


def test_the_province_supervisor_sees_every_gateway_and_the_headline(world: World) -> None:
    _push_results(world, "m1", ["R1", "R2"])
    bad = patient_entry(world.hospital_a, "M002", gender="mal")  # refused at the edge
    assert push(world.secret_a, bundle([bad], message_id="m2")).status_code == 200
    page = _text(_client(world.province_supervisor).get(PAGE))
    assert "接入进度" in page and "演示省" in page
    assert _listed(page) == _all(world)
    assert re.search(r'id="connected-of">2 / 3<', page)
    assert "家二级及以上医院已接入" in page
    # Each state once; the connected gateway's backlog, and what it sent this week.
    for label in ("已连接", "延迟", "失联", "已吊销"):
        assert label in page
    assert "甲县人民医院" in page and "最早一条已等待 2" in page
    assert 'data-type="Observation"' in page
    # Each type in the hospital's words, its FHIR name beside it.
    observation = page[page.index('data-type="Observation"') :].split("</tr>")[0]
    assert "检验结果" in observation and "Observation" in observation
    # Four entries this week, one refused: 25 %; two messages.
    row = page[page.index(f'data-gateway="{world.connected.uuid}"') :].split("</tr>")[0]
    assert "25.0%" in row and "2 条消息" in row and "近一小时错误 1 次" in row


def test_the_list_narrows_to_a_region_and_a_state(world: World) -> None:
    client = _client(world.province_supervisor)
    county_b = _text(client.get(PAGE, {"region": world.county_b.code}))
    assert _listed(county_b) == {str(world.late.uuid), str(world.revoked.uuid)}
    assert re.search(r'id="connected-of">1 / 2<', county_b)
    late = _text(client.get(PAGE, {"state": "late"}))
    assert _listed(late) == {str(world.late.uuid)}


def test_a_county_supervisor_sees_the_gateways_of_their_county_only(world: World) -> None:
    client = _client(world.county_supervisor)
    page = _text(client.get(PAGE))
    assert _listed(page) == {str(world.connected.uuid), str(world.silent.uuid)}
    assert re.search(r'id="connected-of">1 / 1<', page)
    # Another county, asked for by its code, is not theirs: the list stays their own.
    elsewhere = _text(client.get(PAGE, {"region": world.county_b.code}))
    assert _listed(elsewhere) == _listed(page)
    assert "乙县中心医院" not in elsewhere


def test_the_platform_administrator_sees_every_gateway(world: World) -> None:
    page = _text(_client(world.admin).get(PAGE))
    assert _listed(page) == _all(world)


def test_a_doctor_is_answered_as_if_the_page_did_not_exist(world: World) -> None:
    client = _client(world.doctor)
    assert client.get(PAGE).status_code == 404
    assert PAGE not in _text(client.get("/"))
    assert PAGE in _text(_client(world.province_supervisor).get("/"))


def test_the_page_costs_the_same_however_many_gateways(world: World) -> None:
    client = _client(world.province_supervisor)
    _push_results(world, "m1", ["R1"])
    client.get(PAGE)  # the session and the caches warmed

    last: list[dict[str, str]] = []

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(PAGE).status_code == 200
        last[:] = captured.captured_queries
        return len(captured.captured_queries)

    few = queries()
    for n in range(8):
        gateway, secret = make_gateway(_institution(world.county_b, "2A"))
        _beat(gateway, timezone.now(), n * 100, queue_depth=n)
        world.secret_a = secret
        patient = patient_entry(gateway.institution, f"X{n}")
        assert push(secret, bundle([patient], message_id=f"x{n}")).status_code == 200
    assert queries() == few
    # Nine for every page (the session read and saved, the account, its second factor, the
    # membership twice, the notifications' count); fifteen for this one: the supervisor's
    # region, the regions to choose from, N of M, the gateways per state, the count and the
    # page of gateways, the week's closed days, their week's messages and their resources
    # per type and day, and the region's resources and messages per day (each of these
    # four from the closed days' kept counts and the open days' rows).
    assert few <= 24, "\n".join(q["sql"][:200] for q in last)
