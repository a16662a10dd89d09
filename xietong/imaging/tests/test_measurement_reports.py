"""A measurement saved in the viewer comes back as a DICOM SR by STOW-RS, sent by the
signed-in browser with its CSRF token (viewer-start.js adds it): it is stored in the
patient's study though it has no pixel data, its metadata answers as the viewer reads it
back, and the study's row on our pages counts it as a measurement report. Who may not see
the study may not add to it, and a request without the token stores nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from xietong.imaging.dicomweb.multipart import boundary_new, parts_write
from xietong.imaging.models import Instance, Series, Study
from xietong.imaging.synthetic import dataset_bytes

from .measurement_sr import ENHANCED_SR, measurement_report
from .world import a_patient, a_sender, a_study, person_of, stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def study():
    sender = a_sender(role="requester")
    patient = a_patient(sender.institution)
    datasets = a_study(person_of(patient), modality="CT", instances_per_series=3)
    stored(sender, datasets)
    return sender, patient, datasets


def _browser(sender, *, csrf: bool = True) -> tuple[Client, dict[str, str]]:
    """The signed-in browser as the viewer runs in it: the token from its cookie."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(sender.membership.user)
    browser.get(reverse("viewer:index"))  # the viewer's page sets the CSRF cookie
    headers = {"X-CSRFToken": browser.cookies["csrftoken"].value} if csrf else {}
    return browser, headers


def _stow(browser: Client, headers: dict[str, str], study_uid: str, report) -> tuple[int, dict]:
    boundary = boundary_new()
    body = b"".join(parts_write([("application/dicom", dataset_bytes(report))], boundary))
    answer = browser.post(
        reverse("dicomweb:study", args=[study_uid]),
        data=body,
        content_type=f'multipart/related; type="application/dicom"; boundary={boundary}',
        headers=headers,
    )
    return answer.status_code, json.loads(answer.content or b"{}")


def test_a_saved_measurement_is_stored_in_the_study_and_shown_with_it(study):
    sender, patient, datasets = study
    uid = datasets[0].StudyInstanceUID
    report = measurement_report(datasets[1], length_mm=54.0, name="测量 右肺结节")
    assert "PixelData" not in report and "Rows" not in report
    browser, headers = _browser(sender)
    status, answer = _stow(browser, headers, uid, report)
    assert status == 200, answer
    assert "00081198" not in answer  # no FailedSOPSequence

    kept = Instance.objects.get(sop_instance_uid=report.SOPInstanceUID)
    assert kept.sop_class_uid == ENHANCED_SR and kept.rows is None
    assert kept.study.study_instance_uid == uid and kept.study.patient_id == patient.pk
    assert Series.objects.get(pk=kept.series_id).modality == "SR"
    assert Study.objects.get(study_instance_uid=uid).instance_count == 4

    # The viewer reads it back: its measurement in the series' metadata.
    metadata = browser.get(
        reverse("dicomweb:series_metadata", args=[uid, report.SeriesInstanceUID])
    ).json()
    assert metadata[0]["00080016"]["Value"] == [ENHANCED_SR]
    said = json.dumps(metadata)
    assert '"0040A30A": {"vr": "DS", "Value": [54.0]}' in said  # the length's NumericValue

    # The patient's page: the images counted as before, and the report beside them.
    page = browser.get(reverse("patients:detail", args=[patient.uuid])).content.decode()
    row = page[page.index(f'data-study="{uid}"') :]
    row = row[: row.index("</tr>")]
    assert "1 个序列，3 幅图像" in row
    assert "1 份测量报告" in row


def test_without_the_token_nothing_is_stored(study):
    sender, _patient, datasets = study
    report = measurement_report(datasets[0], length_mm=12.5, name="测量")
    browser, headers = _browser(sender, csrf=False)
    status, _answer = _stow(browser, headers, datasets[0].StudyInstanceUID, report)
    assert status == 403
    assert not Instance.objects.filter(sop_instance_uid=report.SOPInstanceUID).exists()


def test_who_may_not_see_the_study_cannot_add_a_report_to_it(study):
    _sender, _patient, datasets = study
    stranger = a_sender(role="requester")
    report = measurement_report(datasets[0], length_mm=12.5, name="测量")
    browser, headers = _browser(stranger)
    status, _answer = _stow(browser, headers, datasets[0].StudyInstanceUID, report)
    assert status in (404, 409)
    assert not Instance.objects.filter(sop_instance_uid=report.SOPInstanceUID).exists()
    assert Study.objects.get(study_instance_uid=datasets[0].StudyInstanceUID).instance_count == 3


def test_a_study_without_reports_shows_none(study):
    sender, patient, _datasets = study
    browser, _headers = _browser(sender)
    page = browser.get(reverse("patients:detail", args=[patient.uuid])).content.decode()
    assert "1 个序列，3 幅图像" in page and "测量报告" not in page
