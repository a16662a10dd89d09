"""The reconciliation list: a study that matched no patient waits there for its sender's
staff, who link it to one of their patients (audited) or register the patient first."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.core.models import AuditEvent
from xietong.imaging.models import Study
from xietong.imaging.synthetic import Person
from xietong.patients.tests.factories import make_patient

from .world import BORN, a_patient, a_sender, a_study, stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting():
    sender = a_sender(role="requester")
    patient = a_patient(sender.institution, mrn="MRN-1", name="王芳")
    # Sent with a typo in the name: not linked.
    datasets = a_study(Person("MRN-1", "王方", BORN, "F"), instances_per_series=1)
    stored(sender, datasets)
    study = Study.objects.get()
    assert study.patient is None
    browser = Client()
    browser.force_login(sender.membership.user)
    return sender, patient, study, browser


def test_the_list_shows_the_waiting_study_and_why(waiting):
    _sender, _patient, study, browser = waiting
    page = browser.get(reverse("imaging:reconcile"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "待关联的影像检查" in text and "王方" in text and "姓名与患者不一致" in text
    assert reverse("imaging:reconcile_study", args=[study.uuid]) in text


def test_a_person_links_the_study_to_their_patient(waiting):
    sender, patient, study, browser = waiting
    page = browser.get(reverse("imaging:reconcile_study", args=[study.uuid]), {"q": "王芳"})
    assert page.status_code == 200 and str(patient.uuid) in page.content.decode()
    answer = browser.post(reverse("imaging:reconcile_link", args=[study.uuid]),
                          {"patient": str(patient.uuid)})  # fmt: skip
    assert answer.status_code == 302
    study.refresh_from_db()
    assert study.patient == patient and study.unmatched_reason == ""
    event = AuditEvent.objects.filter(action="imaging_study.link").get()
    assert event.patient_id == patient.pk and event.username == sender.membership.user.username
    assert "王方" not in browser.get(reverse("imaging:reconcile")).content.decode()
    # Linked, it is no longer on the reconciliation pages.
    again = browser.post(reverse("imaging:reconcile_link", args=[study.uuid]),
                         {"patient": str(patient.uuid)})  # fmt: skip
    assert again.status_code == 404


def test_another_institutions_patient_cannot_be_chosen(waiting):
    _sender, _patient, study, browser = waiting
    stranger = make_patient(a_sender().institution)
    answer = browser.post(reverse("imaging:reconcile_link", args=[study.uuid]),
                          {"patient": str(stranger.uuid)})  # fmt: skip
    assert answer.status_code == 404
    study.refresh_from_db()
    assert study.patient is None


def test_other_institutions_and_roles_see_no_waiting_study(waiting):
    _sender, _patient, study, _browser = waiting
    for sender in (a_sender(role="requester"), a_sender(study.institution, role="pharmacist")):
        browser = Client()
        browser.force_login(sender.membership.user)
        assert browser.get(reverse("imaging:reconcile_study", args=[study.uuid])).status_code in (
            403, 404,
        )  # fmt: skip
        listed = browser.get(reverse("imaging:reconcile"))
        assert "王方" not in listed.content.decode()


def test_registering_the_patient_links_the_study_that_waited(django_capture_on_commit_callbacks):
    from xietong.patients.services import patient_identifier_add, patient_registration_make

    sender = a_sender(role="requester")
    datasets = a_study(Person("MRN-77", "赵敏", BORN, "F"), instances_per_series=1)
    stored(sender, datasets)
    study = Study.objects.get()
    assert study.patient is None
    with django_capture_on_commit_callbacks(execute=True):
        done = patient_registration_make(actor=sender.actor, name="赵敏", sex="2",
                                         birth_date=BORN, mrn="MRN-77")  # fmt: skip
    study.refresh_from_db()
    assert study.patient == done.patient
    event = AuditEvent.objects.filter(action="imaging_study.link").get()
    assert event.username == "imaging-matching" and event.detail["automatic"] is True

    # A number given later links too; a study under another name stays waiting.
    other = a_study(Person("MRN-88", "钱多", BORN, "M"), instances_per_series=1)
    stored(sender, other)
    wrong = a_study(Person("MRN-88", "孙少", BORN, "M"), instances_per_series=1)
    stored(sender, wrong)
    with django_capture_on_commit_callbacks(execute=True):
        qian = patient_registration_make(actor=sender.actor, name="钱多", sex="1",
                                         birth_date=BORN).patient  # fmt: skip
    assert Study.objects.get(study_instance_uid=other[0].StudyInstanceUID).patient is None
    with django_capture_on_commit_callbacks(execute=True):
        patient_identifier_add(actor=sender.actor, patient=qian, system="mrn", value="MRN-88")
    assert Study.objects.get(study_instance_uid=other[0].StudyInstanceUID).patient == qian
    assert Study.objects.get(study_instance_uid=wrong[0].StudyInstanceUID).patient is None


def test_another_institutions_registration_links_nothing(django_capture_on_commit_callbacks):
    from xietong.patients.services import patient_registration_make

    sender, elsewhere = a_sender(role="requester"), a_sender(role="requester")
    stored(sender, a_study(Person("MRN-77", "赵敏", BORN, "F"), instances_per_series=1))
    with django_capture_on_commit_callbacks(execute=True):
        patient_registration_make(actor=elsewhere.actor, name="赵敏", sex="2", birth_date=BORN,
                                  mrn="MRN-77")  # fmt: skip
    assert Study.objects.get().patient is None
