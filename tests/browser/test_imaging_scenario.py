"""One study from the county hospital's browser to a signed imaging report, in Chromium
against the real server: the requesting doctor uploads a CT from the patient's page (a
progress bar to 100 %) and asks for it to be read; the reading centre's reader claims it,
opens it in the OHIF viewer from the worklist (the viewport's canvas shows the image), and
submits a preliminary report with a critical finding; the senior signs it with their
password; the requester sees the signed report, acknowledges the critical finding and opens
the PDF. (The viewer from a consultation's workspace is tests/browser/test_viewer.py.)"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import expect

from tests.browser.helpers import sign_in
from tests.browser.test_viewer import _image_shown, _installed
from xietong.accounts.tests.factories import PASSWORD
from xietong.imaging.models import Study
from xietong.imaging.reading.models import ReadingRequest, Status
from xietong.imaging.reading.tests.world import World, world_build
from xietong.imaging.synthetic import dataset_bytes
from xietong.imaging.tests.world import a_study, person_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT = {
    "technique": "胸部CT平扫，层厚5 mm",
    "findings": "右肺上叶见一约3 cm软组织肿块，边缘分叶",
    "impression": "右肺上叶占位，考虑周围型肺癌",
    "advice": "建议增强CT及穿刺活检",
}


def _world() -> World:
    """Built in a thread of its own: Playwright's loop runs in the test's thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:

        def build() -> World:
            try:
                return world_build()
            finally:
                connection.close()

        return pool.submit(build).result()


def _files(w: World) -> tuple[str, list[dict[str, Any]]]:
    datasets = a_study(person_of(w.patient), modality="CT", instances_per_series=3,
                       rows=128, cols=128)  # fmt: skip
    files = [
        {"name": f"CT/IM{n}.dcm", "mimeType": "application/dicom", "buffer": dataset_bytes(d)}
        for n, d in enumerate(datasets)
    ]
    return str(datasets[0].StudyInstanceUID), files


def test_from_the_browser_upload_to_the_signed_report_the_requester_reads(
    new_page: Any, server_url: str
) -> None:
    _installed()
    w = _world()
    uid, files = _files(w)

    # The county doctor sends the CT from the patient's page and asks for it to be read.
    doctor = new_page()
    doctor.set_viewport_size({"width": 1366, "height": 900})
    sign_in(doctor, w.requester_m.user.username)
    doctor.goto(f"/patients/{w.patient.uuid}/")
    section = doctor.locator("section#imaging")
    with doctor.expect_file_chooser() as chooser:
        section.get_by_role("button", name="选择文件或压缩包").click()
    chooser.value.set_files(files)
    card = section.locator(f'[data-study-uid="{uid}"]')
    expect(card).to_contain_text("3 幅图像")
    section.get_by_role("button", name="上传到影像档案").click()
    expect(card.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    row = section.locator(f'[data-study-list] tr[data-study="{uid}"]')
    expect(row).to_be_visible()
    assert Study.objects.get(study_instance_uid=uid).patient_id == w.patient.pk

    row.locator("a[data-ask-reading]").click()
    doctor.locator("select[name=urgency]").select_option("urgent")
    doctor.locator("textarea[name=clinical_question], input[name=clinical_question]").fill(
        "咳嗽两周，痰中带血，排除肺部占位"
    )
    doctor.get_by_role("button", name="提交阅片申请").click()
    reading = ReadingRequest.objects.get(study__study_instance_uid=uid)
    assert reading.status == Status.REQUESTED and reading.centre_id == w.centre.pk

    # The reader finds it on the worklist, opens the images, claims it and reports.
    reader = new_page()
    reader.set_viewport_size({"width": 1366, "height": 900})
    sign_in(reader, w.reader_m.user.username)
    reader.goto("/imaging/worklist/")
    listed = reader.locator("tr", has_text=reading.number)
    expect(listed).to_be_visible()
    listed.locator("a[data-open-viewer]").click()
    shown = _image_shown(reader)
    assert shown["levels"] > 1 and shown["lit"] > 100
    reader.goto(f"/imaging/readings/{reading.uuid}/")
    reader.locator(f'form[action$="/{reading.uuid}/claim"] button').click()
    editor = reader.locator("#report-editor")
    expect(editor).to_be_visible()
    for name, text in REPORT.items():
        editor.locator(f"[name={name}]").fill(text)
    editor.locator("[name=critical]").check()
    editor.locator("button[name=submit][value=preliminary]").click()
    expect(reader.locator("[data-report-version]").first).to_contain_text(REPORT["impression"])
    assert ReadingRequest.objects.get(pk=reading.pk).status == Status.PRELIMINARY

    # The senior signs it with their password.
    senior = new_page()
    senior.set_viewport_size({"width": 1366, "height": 900})
    sign_in(senior, w.senior_m.user.username)
    senior.goto(f"/imaging/readings/{reading.uuid}/")
    review = senior.locator("#report-review")
    review.locator("[name=password]").fill(PASSWORD)
    review.locator('form[action$="/sign"] button[type=submit]').click()
    expect(senior.locator("[data-report-version]").first).to_contain_text("已签发")
    assert ReadingRequest.objects.get(pk=reading.pk).status == Status.FINAL

    # The requester reads the signed report, acknowledges the critical finding, opens the PDF.
    doctor.goto(f"/imaging/readings/{reading.uuid}/")
    signed = doctor.locator("[data-report-version]").first
    expect(signed).to_contain_text(REPORT["findings"])
    expect(signed).to_contain_text("危急值")
    doctor.get_by_role("button", name="确认危急值").click()
    expect(doctor.get_by_role("button", name="确认危急值")).to_have_count(0)
    assert ReadingRequest.objects.get(pk=reading.pk).critical_acknowledged_at is not None
    pdf = doctor.request.get(signed.locator("a[data-report-pdf]").get_attribute("href"))
    assert pdf.status == 200
    assert pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.body()[:5] == b"%PDF-"
