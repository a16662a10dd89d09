"""Who is offered the browser's upload of studies, and what the page gives its script: the
upload goes through the archive's own STOW-RS and QIDO-RS, so the page only has to offer it
to those who may send studies and say where the patient's studies are listed."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from xietong.consultations.tests.world import add_consent

from .world import a_patient, a_sender, a_study, person_of, stored

pytestmark = pytest.mark.django_db


def _get(sender, url: str) -> str:
    browser = Client()
    browser.force_login(sender.membership.user)
    answer = browser.get(url)
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_patients_page_offers_the_upload_to_who_sends_studies():
    sender = a_sender(role="requester")
    patient = a_patient(sender.institution)
    page = _get(sender, reverse("patients:detail", args=[patient.uuid]))
    widget = re.search(r"<div class=\"xt-dicom-upload[^>]*>", page)
    assert widget is not None
    assert 'data-stow-url="/dicomweb/studies"' in widget.group(0)
    assert 'data-qido-url="/dicomweb/instances"' in widget.group(0)
    assert 'data-refresh="#imaging [data-study-list]"' in widget.group(0)
    assert "data-choose" not in widget.group(0)
    assert "选择文件或压缩包" in page and "选择文件夹" in page
    # The script's words come in the page's language, as data it does not execute.
    texts = re.search(
        r'<script id="dicom-upload-texts-[0-9a-f]+" type="application/json">(.*?)</script>', page
    )
    assert texts is not None and json.loads(texts.group(1))["send"] == "上传到影像档案"
    assert "/static/vendor/fflate/index.js" in page
    assert "/static/vendor/dicom-parser/dicomParser.min.js" in page


def test_who_reads_patients_but_sends_no_studies_is_not_offered_it():
    sender = a_sender(role="requester")
    patient = a_patient(sender.institution)
    pharmacist = a_sender(sender.institution, role="pharmacist")
    page = _get(pharmacist, reverse("patients:detail", args=[patient.uuid]))
    assert 'id="imaging"' in page
    assert "data-dicom-upload" not in page


def test_the_request_form_offers_it_and_each_study_box_names_its_study():
    sender = a_sender(role="requester")
    patient = a_patient(sender.institution)
    add_consent(patient, sender.institution, sender.membership.user_id)
    datasets = a_study(person_of(patient))
    stored(sender, datasets)
    page = _get(sender, reverse("consultations:create") + f"?patient={patient.uuid}")
    widget = re.search(r"<div class=\"xt-dicom-upload[^>]*>", page)
    assert widget is not None and "data-choose" in widget.group(0)
    assert 'data-refresh="#studies [data-study-list]"' in widget.group(0)
    box = re.search(r'<input type="checkbox" name="studies"[^>]*>', page)
    assert box is not None
    assert f'data-study-uid="{datasets[0].StudyInstanceUID}"' in box.group(0)
