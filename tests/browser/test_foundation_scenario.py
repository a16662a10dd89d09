"""The foundation, end to end in the browser: a county doctor registers a patient and finds
them again; a doctor of another county cannot open that patient; the refused attempt is
in the audit log where a platform administrator finds it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.helpers import horizontal_overflow_px, sign_in
from xietong.accounts.tests.factories import MembershipFactory, UserFactory
from xietong.directory.tests.factories import InstitutionFactory, RegionFactory
from xietong.patients.models import Patient, Sex
from xietong.patients.tests.factories import resident_id_for

# Committed data: the server answers from its own database connection.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BORN = dt.date(1961, 3, 8)
RESIDENT_ID = resident_id_for(BORN, area="410122", seq=24, sex=Sex.FEMALE)


@pytest.fixture
def province() -> dict[str, Any]:
    henan = RegionFactory(code="410000", level="province", name="河南省")
    zhengzhou = RegionFactory(code="410100", level="city", name="郑州市", parent=henan)
    zhongmou = RegionFactory(code="410122", level="county", name="中牟县", parent=zhengzhou)
    gongyi = RegionFactory(code="410181", level="county", name="巩义市", parent=zhengzhou)
    people = {
        "county_doctor": (zhongmou, "中牟县人民医院", "county", ["requester"]),
        "other_doctor": (gongyi, "巩义市人民医院", "county", ["requester"]),
        "platform_admin": (henan, "河南省远程医学中心", "provincial", ["platform_admin"]),
    }
    for username, (region, hospital, level, roles) in people.items():
        MembershipFactory(
            user=UserFactory(username=username),
            institution=InstitutionFactory(region=region, name=hospital, level=level),
            roles=roles,
        )
    return people


def test_register_find_refuse_and_audit(province: dict[str, Any], new_page: Any) -> None:
    # A county doctor registers a resident.
    doctor = new_page()
    sign_in(doctor, "county_doctor")
    doctor.goto(reverse("patients:search"))
    doctor.locator(f'a[href="{reverse("patients:register")}"]').click()
    form = doctor.locator("main form:has([name=resident_id])")
    form.locator("[name=name]").fill("王秀英")
    form.locator("[name=resident_id]").fill(RESIDENT_ID)
    form.locator("[name=sex]").select_option(Sex.FEMALE.value)
    form.locator("[name=birth_date]").fill(BORN.isoformat())
    form.locator("[name=phone]").fill("13803710024")
    # The address region is found by part of its name and named with its city.
    form.locator("#id_address_region-ts-control").press_sequentially("中牟")
    region = doctor.locator(".ts-dropdown .option", has_text="中牟县")
    expect(region).to_have_text("中牟县 · 郑州市 · 县")
    region.click()
    form.locator("[name=address]").fill("河南省郑州市中牟县城关镇东大街 12 号")
    assert horizontal_overflow_px(doctor) <= 0
    form.locator("button[type=submit]").click()

    expect(doctor).to_have_url(re.compile(r"/patients/[0-9a-f-]{36}/$"))
    expect(doctor.locator("h1")).to_contain_text("王秀英")
    patient_url = doctor.url
    patient = Patient.objects.get(resident_id=RESIDENT_ID)
    assert patient.address_region is not None and patient.address_region.code == "410122"
    assert patient_url.endswith(reverse("patients:detail", args=[patient.uuid]))

    # …finds her again by her resident ID, and opens her page.
    doctor.goto(reverse("patients:search"))
    doctor.locator("input[name=q]").fill(RESIDENT_ID)
    hit = doctor.locator("#results").get_by_role("link", name="王秀英")
    expect(hit).to_be_visible()
    assert horizontal_overflow_px(doctor) <= 0
    hit.click()
    expect(doctor).to_have_url(patient_url)
    expect(doctor.locator("h1")).to_contain_text("王秀英")

    # A doctor of another county opens the same address: not found, in Chinese.
    other = new_page()
    sign_in(other, "other_doctor")
    response = other.goto(patient_url)
    assert response is not None and response.status == 404
    expect(other.locator("main")).to_contain_text("此页面不存在，或您无权访问。")
    expect(other.locator("main")).not_to_contain_text("王秀英")

    # The platform administrator finds the refused attempt in the audit log.
    admin = new_page()
    sign_in(admin, "platform_admin")
    admin.goto(reverse("audit:log"))
    admin.locator("input[name=username]").fill("other_doctor")
    admin.locator("select[name=outcome]").select_option(label="轻微失败")
    admin.locator("main form.audit-filters").get_by_role("button", name="搜索").click()
    rows = admin.locator("table.audit-log tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.locator('td[data-label="用户"]')).to_have_text("other_doctor")
    expect(row.locator('td[data-label="机构"]')).to_have_text("巩义市人民医院")
    expect(row.locator('td[data-label="资源"]')).to_contain_text(str(patient.uuid))
    expect(row.locator('td[data-label="患者"]')).to_have_text(str(patient.pk))
    expect(row.locator('td[data-label="结果"]')).to_have_text("轻微失败")
    expect(row.locator('td[data-label="IP 地址"]')).to_have_text("127.0.0.1")
    assert horizontal_overflow_px(admin) <= 0
