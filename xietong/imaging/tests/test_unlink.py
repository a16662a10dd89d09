"""A study linked to the wrong patient is taken off them by the sending institution's staff,
with the reason: it leaves the patient's page at once, waits in the reconciliation list, and
is not matched to the same patient again when their numbers change."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.core.models import AuditEvent
from xietong.imaging.models import Study
from xietong.imaging.services.rematch import studies_rematch
from xietong.patients.tests.factories import an_institution

from .world import a_patient, a_sender, a_study, person_of, stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked():
    sender = a_sender(role="requester")
    patient = a_patient(sender.institution, mrn="MRN-5", name="赵敏")
    stored(sender, a_study(person_of(patient, mrn="MRN-5"), instances_per_series=1))
    study = Study.objects.get()
    assert study.patient_id == patient.pk
    browser = Client()
    browser.force_login(sender.membership.user)
    return sender, patient, study, browser


def _url(study: Study) -> str:
    return reverse("imaging:study_unlink", args=[study.study_instance_uid])


def test_the_study_leaves_the_patient_and_waits_in_the_list(linked):
    _sender, patient, study, browser = linked
    page = browser.get(reverse("patients:detail", args=[patient.uuid])).content.decode()
    assert _url(study) in page  # offered on the patient's page to who links studies
    form = browser.get(_url(study))
    assert form.status_code == 200 and "赵敏" in form.content.decode()
    answer = browser.post(_url(study), {"reason": "检查号录错，是同名另一位患者的片子"})
    assert answer.status_code == 302
    study.refresh_from_db()
    assert study.patient_id is None and study.unmatched_reason == "unlinked"
    page = browser.get(reverse("patients:detail", args=[patient.uuid])).content.decode()
    assert study.study_instance_uid not in page
    listing = browser.get(reverse("imaging:reconcile")).content.decode()
    assert "已从错误的患者处移出" in listing
    event = AuditEvent.objects.get(action="imaging_study.unlink")
    assert event.patient_id == patient.pk and "同名另一位患者" in event.detail["reason"]
    # The patient's numbers changing again does not put the study back on them.
    assert studies_rematch(patient_id=patient.pk) == 0
    study.refresh_from_db()
    assert study.patient_id is None


def test_without_a_reason_nothing_changes(linked):
    _sender, patient, study, browser = linked
    answer = browser.post(_url(study), {"reason": "  "})
    assert answer.status_code == 422
    assert "请说明" in answer.content.decode()
    study.refresh_from_db()
    assert study.patient_id == patient.pk
    assert not AuditEvent.objects.filter(action="imaging_study.unlink").exists()


def test_only_the_sending_institutions_staff_may_unlink(linked):
    _sender, patient, study, _browser = linked
    elsewhere = Client()
    elsewhere.force_login(a_sender(an_institution(), role="requester").membership.user)
    assert elsewhere.post(_url(study), {"reason": "错片"}).status_code == 404
    study.refresh_from_db()
    assert study.patient_id == patient.pk
