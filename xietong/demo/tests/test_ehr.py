"""The demo's health records: county A's hospital has a gateway, and the county doctor finds
on two patients' health records the week's admission, diagnoses, a glucose trend and the
study the hospital's PACS sent."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.models import User
from xietong.demo.seed import demo_seed
from xietong.exchange.models import FhirResource, Gateway

pytestmark = pytest.mark.django_db


def test_two_demo_patients_have_a_record_with_a_trend() -> None:
    demo_seed(scale="small")
    doctor = User.objects.get(username="doctor_county")
    hospital = doctor.memberships.get().institution
    assert Gateway.objects.filter(institution=hospital, active=True).count() == 1
    patients = set(
        FhirResource.objects.filter(patient__isnull=False).values_list("patient__uuid", flat=True)
    )
    assert len(patients) == 2
    # Every resource pushed found its patient.
    assert not FhirResource.objects.filter(patient__isnull=True).exists()

    browser = Client()
    browser.force_login(doctor)
    for patient_uuid in patients:
        page = browser.get(reverse("ehr:patient", args=[patient_uuid]))
        assert page.status_code == 200
        html = page.content.decode()
        entries = re.findall(r'<li class="card xt-ehr-entry"', html)
        assert len(entries) >= 9  # a stay, two diagnoses, an allergy, five results, a drug
        assert "检验趋势" in html and "空腹血糖" in html and "2型糖尿病" in html
        assert "偏高" in html and "已结束" in html  # the high glucose; the stay is over
        assert 'data-kind="imaging"' in html  # the study county A's PACS sent
