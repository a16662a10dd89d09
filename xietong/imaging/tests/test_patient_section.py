"""The patient's page lists the imaging studies its viewer may see, newest first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from xietong.core.models import AuditEvent
from xietong.core.tests.statements import statements_counted
from xietong.imaging.sections import imaging_section
from xietong.imaging.synthetic import Person
from xietong.patients.models import CareReason, CareRelationship

from .world import BORN, a_patient, a_sender, a_study, person_of, stored

pytestmark = pytest.mark.django_db


def _page(sender, patient) -> str:
    browser = Client()
    browser.force_login(sender.membership.user)
    answer = browser.get(reverse("patients:detail", args=[patient.uuid]))
    assert answer.status_code == 200
    return answer.content.decode()


def _section(page: str) -> str:
    start = page.index('id="imaging"')
    return page[start : page.index("</section>", start)]


@pytest.fixture
def hospital():
    sender = a_sender(role="requester")
    patient = a_patient(sender.institution, mrn="MRN-1", name="王芳")
    return sender, patient


def test_the_page_lists_the_patients_studies_newest_first(hospital):
    sender, patient = hospital
    person = person_of(patient)
    stored(sender, a_study(person, modality="DX", study_date=dt.date(2026, 3, 1)))
    stored(sender, a_study(person, modality="CT", study_date=dt.date(2026, 11, 20),
                           series_count=2))  # fmt: skip
    stored(sender, a_study(person, modality="MR", study_date=dt.date(2026, 6, 15)))
    section = _section(_page(sender, patient))
    assert "影像检查" in section
    ct, mr, dx = (section.index(x) for x in ("胸部CT平扫", "头颅MR平扫", "胸部正位片"))
    assert ct < mr < dx
    assert "2026-11-20" in section and "2026-06-15" in section and "2026-03-01" in section
    assert ">CT<" in section and ">MR<" in section and ">DX<" in section
    # The body parts in the reader's language, not DICOM's English terms.
    assert "胸部" in section and "头部" in section and "CHEST" not in section
    assert "2 个序列，4 幅图像" in section  # two series of two images
    assert "1 个序列，2 幅图像" in section
    assert (sender.institution.short_name or sender.institution.name) in section
    # One search of the patient's studies recorded, naming the patient.
    search = AuditEvent.objects.get(action="imaging_study.search")
    assert search.patient_id == patient.pk and search.detail["count"] == 3


def test_a_patient_without_studies_shows_the_empty_state(hospital):
    sender, patient = hospital
    section = _section(_page(sender, patient))
    assert "该患者暂无影像检查。" in section and "<table" not in section
    assert not AuditEvent.objects.filter(action="imaging_study.search").exists()


def test_a_study_waiting_for_reconciliation_is_not_on_the_page(hospital):
    sender, patient = hospital
    stored(sender, a_study(Person("MRN-9", patient.name, BORN, "F")))  # a mistyped number
    assert "该患者暂无影像检查。" in _section(_page(sender, patient))


def test_another_institution_that_cares_sees_them_a_stranger_sees_none(hospital):
    sender, patient = hospital
    stored(sender, a_study(person_of(patient), modality="CT"))
    carer = a_sender(role="requester")
    CareRelationship.objects.create(patient=patient, institution=carer.institution,
                                    reason=CareReason.CARES)  # fmt: skip
    assert "胸部CT平扫" in _section(_page(carer, patient))
    stranger = a_sender(role="requester")
    browser = Client()
    browser.force_login(stranger.membership.user)
    assert browser.get(reverse("patients:detail", args=[patient.uuid])).status_code == 404
    # Nor would the section list them, were it rendered for the stranger some other way.
    request = RequestFactory().get("/")
    section = imaging_section(request, stranger.actor, patient)
    assert section is not None and section.context["study_rows"] == []


def test_no_section_for_a_role_that_does_not_see_patients(hospital):
    sender, patient = hospital
    stored(sender, a_study(person_of(patient)))
    learner = a_sender(sender.institution, role="learner")
    assert imaging_section(RequestFactory().get("/"), learner.actor, patient) is None


def test_the_section_costs_the_same_for_one_study_or_several(hospital):
    sender, patient = hospital
    request = RequestFactory().get("/")
    stored(sender, a_study(person_of(patient), modality="CT"))
    with statements_counted() as one:
        imaging_section(request, sender.actor, patient)
    for modality in ("MR", "DX", "CT", "MR"):
        stored(sender, a_study(person_of(patient), modality=modality, series_count=2))
    with statements_counted() as five:
        section = imaging_section(request, sender.actor, patient)
    assert section is not None and len(section.context["study_rows"]) == 5
    # The studies with their senders, their series' body parts, the search's audit record.
    assert len(five) == len(one) <= 4, five.listing()
