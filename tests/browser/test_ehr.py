"""A county hospital's gateway pushes an admission and a lab result, as its HIS and LIS sent
them in HL7 v2 (mapped by the gateway's own code, pushed over HTTP to the running server);
the doctor opens the patient's page, then the health record (健康档案), and reads the
result with its hospital and flag, at 1366 px and on a 390 px phone, without sideways
scrolling."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
import requests
from playwright.sync_api import expect
from xt_gateway import hl7v2
from xt_gateway.mapping import map_message

from tests.browser.helpers import horizontal_overflow_px, sign_in
from tests.exchange.test_gateway_bundles import CODE, RESIDENT_ID, adt_a01, oru_r01
from xietong.accounts.tests.factories import MembershipFactory, UserFactory
from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory
from xietong.exchange.tests.factories import make_gateway
from xietong.patients.tests.factories import make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _gateway_push(server_url: str, secret: str, raw: bytes) -> None:
    """What the gateway does with a message its HIS sent: map it to a Bundle, push it."""
    bundle = map_message(hl7v2.parse(raw, default_encoding="gb18030"), CODE).bundle
    answer = requests.post(
        f"{server_url}/fhir/R4",
        data=json.dumps(bundle, ensure_ascii=False).encode(),
        headers={"content-type": "application/fhir+json", "authorization": f"Bearer {secret}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    statuses = {e["response"]["status"] for e in answer.json()["entry"]}
    assert statuses <= {"201 Created", "200 OK"}, answer.text


def _result_entry(page: Any) -> Any:
    return page.locator("li.xt-ehr-entry", has_text="钾")


def test_a_pushed_lab_result_reads_on_the_patients_health_record(
    new_page: Any, server_url: str
) -> None:
    hospital = cast(
        Institution, InstitutionFactory(code=CODE, name="中牟县人民医院", short_name="中牟县医院")
    )
    user = UserFactory(username="li.wei", display_name="李伟")
    MembershipFactory(user=user, institution=hospital, roles=["requester"])
    patient = make_patient(hospital, name="王小明", resident_id=RESIDENT_ID)
    _gateway, secret = make_gateway(hospital)
    _gateway_push(server_url, secret, adt_a01())
    _gateway_push(server_url, secret, oru_r01())

    doctor = new_page()
    doctor.set_viewport_size({"width": 1366, "height": 900})
    sign_in(doctor, "li.wei")
    doctor.goto(f"/patients/{patient.uuid}/")
    section = doctor.locator("section#ehr")
    expect(section.locator("h2")).to_have_text("健康档案")
    expect(section).to_contain_text("检验结果 2")
    expect(section.get_by_role("link", name="查看健康档案")).to_be_visible()
    doctor.locator(".xt-patient-head").get_by_role("link", name="健康档案").click()

    expect(doctor.locator("h1")).to_have_text("居民健康档案")
    result = _result_entry(doctor)
    expect(result).to_contain_text("5.8")
    expect(result).to_contain_text("mmol/L")
    expect(result).to_contain_text("偏高")
    expect(result).to_contain_text("参考范围 3.5-5.5")
    remark = doctor.locator("li.xt-ehr-entry", has_text="备注")
    expect(remark).to_contain_text("标本轻度溶血&已复查")  # the HL7 escape \T\ read as &
    expect(result.locator("[data-source]")).to_have_text("中牟县医院")
    admission = doctor.locator("li.xt-ehr-entry", has_text="住院")
    expect(admission).to_contain_text("2026-12-01")
    expect(admission).to_contain_text("中牟县医院")
    assert horizontal_overflow_px(doctor) <= 0

    # Only the lab results, through the filter form.
    doctor.locator("select[name=kind]").select_option("observation")
    doctor.get_by_role("button", name="筛选").click()
    expect(doctor.locator("select[name=kind]")).to_have_value("observation")
    expect(doctor.locator("li.xt-ehr-entry")).to_have_count(2)

    # On a phone the timeline reads as cards: the date above what it is, nothing sideways.
    doctor.set_viewport_size({"width": 390, "height": 844})
    doctor.reload()
    result = _result_entry(doctor)
    expect(result).to_be_visible()
    when = result.locator(".xt-ehr-when").bounding_box()
    what = result.locator(".xt-ehr-title").bounding_box()
    assert when["y"] + when["height"] <= what["y"]
    box = result.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert horizontal_overflow_px(doctor) <= 0
