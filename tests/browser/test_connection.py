"""Connection progress in the browser: the province's supervisor opens it from their
navigation and sees the county hospital's gateway, run as its own process, with the
heartbeat it just sent, at a desk (1366 px) and on a phone (390 px)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from django.conf import settings
from playwright.sync_api import expect

from xietong.accounts.tests.factories import make_membership
from xietong.demo.gateway import demo_gateway_config
from xietong.demo.his import SimulatedHis, his_patients
from xietong.directory.models import Institution, Region
from xietong.directory.tests.factories import InstitutionFactory, RegionFactory
from xietong.exchange.models import ExchangeMessage, Gateway
from xietong.exchange.tests.factories import make_gateway
from xietong.patients.tests.factories import make_patient

from .helpers import horizontal_overflow_px, sign_in

DESK = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
GATEWAY_PACKAGE = Path(settings.BASE_DIR) / "gateway"
# The heartbeat was sent a moment ago.
RECENT = re.compile(r"刚刚|[12]\s*分钟前")


def _region(code: str, name: str, level: str, parent: Region | None = None) -> Region:
    return cast(Region, RegionFactory(code=code, name=name, level=level, parent=parent))


@pytest.fixture
def running_gateway(server_url: str, tmp_path: Path) -> Iterator[tuple[Gateway, int]]:
    province = _region("980000", "示范省", "province")
    county = _region("980102", "示范县", "county", _region("980100", "示范市", "city", province))
    hospital = cast(Institution, InstitutionFactory(region=county, grade="2A",
                                                    name="示范县人民医院"))  # fmt: skip
    InstitutionFactory(region=county, grade="2B", name="示范县中医院")  # not connected
    gateway, secret = make_gateway(hospital)
    (tmp_path / "secret").write_text(secret, encoding="utf-8")
    config = demo_gateway_config(
        folder=tmp_path, institution_code=hospital.code, platform_url=server_url, mllp_port=0
    )
    path = os.pathsep.join(p for p in (str(GATEWAY_PACKAGE), os.environ.get("PYTHONPATH")) if p)
    process = subprocess.Popen(  # noqa: S603 - the gateway of this checkout
        [sys.executable, "-m", "xt_gateway", "run", "--config", str(config)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONPATH": path},
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("xt-gateway ready on port"), line
    try:
        yield gateway, int(line.rsplit(" ", 1)[1])
    finally:
        process.terminate()
        process.wait(20)


def _wait_for(condition: Any, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_the_province_supervisor_sees_the_county_hospitals_gateway_beat(
    page: Any, running_gateway: tuple[Gateway, int]
) -> None:
    gateway, port = running_gateway
    hospital = gateway.institution
    authority = InstitutionFactory(region=Region.objects.get(code="980000"), grade="",
                                   kind="authority", name="示范省卫健委")  # fmt: skip
    supervisor = make_membership(institution=authority, roles=["supervisor"]).user
    # The hospital's HIS registers a patient's visit and reports their results.
    make_patient(hospital)
    his = SimulatedHis(his_patients(institution_id=hospital.pk), host="127.0.0.1", port=port)
    assert [his.send_one(), his.send_one()] == ["AA", "AA"]
    _wait_for(lambda: ExchangeMessage.objects.filter(gateway=gateway).count() == 2)
    _wait_for(lambda: Gateway.objects.get(pk=gateway.pk).heartbeat_at is not None)

    page.set_viewport_size(DESK)
    sign_in(page, supervisor.username)
    page.locator("#mainnav").get_by_role("link", name="接入进度").click()
    expect(page.locator("h1")).to_contain_text("接入进度")
    expect(page.locator("#connected-of")).to_have_text("1 / 2")
    row = page.locator(f'tr[data-gateway="{gateway.uuid}"]')
    expect(row).to_contain_text("示范县人民医院")
    expect(row.locator('[data-status="gateway_connected"]')).to_have_text("已连接")
    expect(row).to_contain_text(RECENT)
    expect(row).to_contain_text("2 条消息")
    row.get_by_text("按类型和日期").click()
    expect(row.locator('tr[data-type="Observation"]')).to_be_visible()
    assert horizontal_overflow_px(page) == 0

    page.set_viewport_size(PHONE)
    page.reload()
    expect(row).to_be_visible()
    expect(row.locator('[data-status="gateway_connected"]')).to_be_visible()
    expect(row).to_contain_text(RECENT)
    assert horizontal_overflow_px(page) == 0
