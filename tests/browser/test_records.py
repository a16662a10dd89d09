"""A doctor files a photographed paper record from a phone and opens it in the viewer."""

from __future__ import annotations

from typing import Any, cast

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import horizontal_overflow_px, sign_in
from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import MembershipFactory, UserFactory
from xietong.patients.tests.factories import jpeg_bytes, make_patient, pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_phone_upload_then_viewer_from_the_patients_page(page: Any) -> None:
    user = UserFactory(username="zhang.min", display_name="张敏")
    membership = cast(Membership, MembershipFactory(user=user, roles=["requester"]))
    patient = make_patient(membership.institution, name="王秀英")
    sign_in(page, "zhang.min")

    page.goto(f"/patients/{patient.uuid}/")
    section = page.locator("section#records")
    expect(section.locator("h2")).to_have_text("病历资料")
    section.get_by_text("上传病历资料").click()
    section.locator("select[name=kind]").select_option("paper_photo")
    section.locator("input[name=title]").fill("门诊病历")
    section.locator("input[name=file]").set_input_files(
        [
            {"name": "IMG_1.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()},
            {"name": "IMG_2.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()},
        ]
    )
    section.get_by_role("button", name="上传").click()
    expect(page.locator(".messages")).to_contain_text("已上传 2 份资料。")
    expect(page).to_have_url(f"{page.url.split('/patients/')[0]}/patients/{patient.uuid}/")
    assert horizontal_overflow_px(page) <= 0

    page.goto(f"/records/patients/{patient.uuid}/")
    page.get_by_text("上传病历资料").click()
    page.locator("select[name=kind]").select_option("lab_report")
    page.locator("input[name=title]").fill("血常规")
    page.locator("input[name=file]").set_input_files(
        {"name": "lab.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    page.get_by_role("button", name="上传").click()
    expect(page.locator("table.list")).to_contain_text("门诊病历 (2/2)")
    assert horizontal_overflow_px(page) <= 0

    expect(page.locator("table.list")).to_contain_text(
        "标题"
    )  # a document's title, not a job title
    page.get_by_role("link", name="血常规").click()
    expect(page.locator("h1")).to_contain_text("血常规")
    frame = page.locator("iframe")
    expect(frame).to_have_count(1)
    response = page.request.get(str(frame.get_attribute("src")))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert horizontal_overflow_px(page) <= 0
