"""The demo's imaging studies: the patients waiting for an expert have their studies, sent by
their county hospital's PACS and linked by the record number it gave them; two wait in county
A's reconciliation list; a few MB in all."""

from __future__ import annotations

import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from xietong.accounts.models import User
from xietong.consultations.models import Consultation, ConsultationStudy
from xietong.demo.seed import demo_seed
from xietong.imaging.models import Instance, Study

pytestmark = pytest.mark.django_db

BUDGET = 5 * 1024 * 1024


def _patient_of(status: str, username: str):
    return Consultation.objects.get(status=status, requesting_user__username=username).patient


def _browser(username: str) -> Client:
    browser = Client()
    browser.force_login(User.objects.get(username=username))
    return browser


def test_the_demo_patients_have_their_studies_and_the_list_has_work() -> None:
    demo_seed(scale="small")
    expected = {
        ("assigned", "doctor_county"): "/CT/",
        ("in_progress", "doctor_county2"): "/MR/",
        ("triage", "doctor_county"): "/DX/",
    }
    for (status, username), modalities in expected.items():
        patient = _patient_of(status, username)
        study = Study.objects.select_related("institution").get(patient=patient)
        assert study.modalities == modalities
        requester = User.objects.get(username=username).memberships.get()
        assert study.institution_id == requester.institution_id
        instances = Instance.objects.filter(study=study)
        assert {i.route for i in instances} == {"cstore"}
        assert study.instance_count == instances.count() > 0
    # The county doctor sees the CT on the patient's page.
    patient = _patient_of("assigned", "doctor_county")
    page = _browser("doctor_county").get(reverse("patients:detail", args=[patient.uuid]))
    assert "胸部CT平扫" in page.content.decode()

    # The consultation carries the study, and its expert finds it in the workspace.
    c = Consultation.objects.get(status="in_progress", requesting_user__username="doctor_county2")
    mr = Study.objects.get(patient=c.patient)
    assert list(
        ConsultationStudy.objects.filter(consultation=c).values_list("study", flat=True)
    ) == [mr.pk]
    expert = c.assignments.get().expert.practitioner.user
    workspace = Client()
    workspace.force_login(expert)
    body = workspace.get(reverse("consultations:detail", args=[c.uuid])).content.decode()
    assert "待阅影像检查" in body and mr.study_instance_uid in body

    waiting = Study.objects.filter(patient__isnull=True)
    assert waiting.count() == 2
    listing = _browser("doctor_county").get(reverse("imaging:reconcile")).content.decode()
    for study in waiting:
        assert study.dicom_patient_id in listing
    # The mistyped number is of a patient with studies: the list is where it is put right.
    assert _patient_of("triage", "doctor_county").name in listing
    # County B's doctor has none waiting.
    other = _browser("doctor_county2").get(reverse("imaging:reconcile")).content.decode()
    assert "没有等待关联患者的检查。" in other

    total = Instance.objects.aggregate(total=Sum("size"))["total"]
    assert 2 * 1024 * 1024 < total <= BUDGET
