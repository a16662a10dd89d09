"""A doctor files photographed paper records from a phone, each page with its own title and
date, and opens one in the viewer."""

from __future__ import annotations

from typing import Any, cast

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import horizontal_overflow_px, sign_in
from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import MembershipFactory, UserFactory
from xietong.patients.tests.factories import jpeg_bytes, make_patient, pdf_bytes
from xietong.records.models import ClinicalDocument

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
    # One empty row waits; two photos chosen at once get a row each, titled by their names.
    rows = section.locator("[data-row]:visible")
    expect(rows).to_have_count(1)
    section.locator("input[data-pick-input]").set_input_files(
        [
            {"name": "IMG_1.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()},
            {"name": "IMG_2.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()},
        ]
    )
    expect(rows).to_have_count(2)
    expect(rows.nth(1).locator("input[name$=-title]")).to_have_value("IMG 2")
    rows.nth(0).locator("input[name$=-title]").fill("门诊病历")
    rows.nth(0).locator("input[name$=-clinical_date]").fill("2026-05-01")
    rows.nth(1).locator("input[name$=-title]").fill("出院小结")
    rows.nth(1).locator("input[name$=-clinical_date]").fill("2026-04-20")
    assert horizontal_overflow_px(page) <= 0
    section.get_by_role("button", name="上传", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已上传 2 份资料。")
    expect(page).to_have_url(f"{page.url.split('/patients/')[0]}/patients/{patient.uuid}/")
    assert horizontal_overflow_px(page) <= 0
    filed = ClinicalDocument.objects.order_by("clinical_date")
    assert [(d.title, str(d.clinical_date)) for d in filed] == [
        ("出院小结", "2026-04-20"),
        ("门诊病历", "2026-05-01"),
    ]

    # On the records page a file is chosen in its own row, as without the page's script.
    page.goto(f"/records/patients/{patient.uuid}/")
    page.get_by_text("上传病历资料").click()
    page.locator("select[name=kind]").select_option("lab_report")
    page.locator("input[name=doc-0-file]").set_input_files(
        {"name": "lab.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    page.locator("input[name=doc-0-title]").fill("血常规")
    page.get_by_role("button", name="上传", exact=True).click()
    table = page.locator("table.xt-table")
    expect(table).to_contain_text("出院小结")
    expect(table).to_contain_text("血常规")
    assert horizontal_overflow_px(page) <= 0

    # The table's head names a document's title, not a job title (on a phone, each cell).
    expect(table.locator("td[data-label=标题]").first).to_be_visible()
    page.get_by_role("link", name="血常规").click()
    expect(page.locator("h1")).to_contain_text("血常规")
    frame = page.locator("iframe")
    expect(frame).to_have_count(1)
    response = page.request.get(str(frame.get_attribute("src")))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert horizontal_overflow_px(page) <= 0
