"""Who sees a study through DICOMweb: whoever may see its patient; an unlinked study only
its sender's staff who reconcile; nobody else, on any path (404, as for a study that does
not exist). A retrieval is recorded once per study and reader, not once per frame."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.core.models import AuditEvent
from xietong.imaging.synthetic import Person
from xietong.patients.models import CareReason, CareRelationship

from .world import BORN, a_patient, a_sender, a_study, stored

pytestmark = pytest.mark.django_db

STUDY_PATHS = [
    ("dicomweb:study", 1), ("dicomweb:study_metadata", 1), ("dicomweb:study_rendered", 1),
    ("dicomweb:study_thumbnail", 1), ("dicomweb:study_series", 1),
    ("dicomweb:study_instances", 1), ("dicomweb:series", 2), ("dicomweb:series_metadata", 2),
    ("dicomweb:series_rendered", 2), ("dicomweb:series_thumbnail", 2),
    ("dicomweb:series_instances", 2), ("dicomweb:instance", 3),
    ("dicomweb:instance_metadata", 3), ("dicomweb:instance_rendered", 3),
    ("dicomweb:instance_thumbnail", 3), ("dicomweb:frames", 3),
    ("dicomweb:frame_rendered", 3), ("dicomweb:frame_thumbnail", 3),
]  # fmt: skip
SEARCHES = ["dicomweb:studies", "dicomweb:all_series", "dicomweb:all_instances"]


def _urls(ds) -> list[str]:
    uids = [ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID]
    urls = []
    for name, level in STUDY_PATHS:
        args = uids[:level] + (["1"] if name.startswith("dicomweb:frame") else [])
        urls.append(reverse(name, args=args))
    return urls


def _get(sender, url: str):
    return Client().get(url, HTTP_AUTHORIZATION=sender.headers["Authorization"])


def _sees(sender, ds) -> bool:
    answers = {url: _get(sender, url).status_code for url in _urls(ds)}
    statuses = set(answers.values())
    assert len(statuses) == 1, answers  # the same answer on every path
    found = [_get(sender, reverse(name)).json() for name in SEARCHES]
    if statuses == {404}:
        assert found == [[], [], []]
        return False
    assert statuses == {200} and all(found)
    return True


@pytest.fixture
def linked():
    sender = a_sender()
    patient = a_patient(sender.institution)
    datasets = a_study(Person("MRN-1", "王芳", BORN, "F"), instances_per_series=1)
    stored(sender, datasets)
    return sender, patient, datasets[0]


def test_the_sender_sees_its_patients_study_and_another_institution_sees_nothing(linked):
    sender, patient, ds = linked
    assert _sees(sender, ds)
    stranger = a_sender()
    assert not _sees(stranger, ds)
    # Once the other institution cares for the patient (a consultation, a referral), it sees.
    CareRelationship.objects.create(patient=patient, institution=stranger.institution,
                                    reason=CareReason.CONSULTATION)  # fmt: skip
    assert _sees(stranger, ds)


def test_a_role_that_sees_no_patients_sees_no_study(linked):
    sender, _patient, ds = linked
    assert not _sees(a_sender(sender.institution, role="supervisor"), ds)


def test_an_unlinked_study_is_seen_only_by_its_senders_reconcilers():
    sender = a_sender()
    ds = a_study(Person("UNKNOWN-7", "张三", BORN, "M"), instances_per_series=1)[0]
    stored(sender, [ds])
    assert _sees(sender, ds)
    assert not _sees(a_sender(sender.institution, role="pharmacist"), ds)
    assert not _sees(a_sender(), ds)


def test_a_study_that_does_not_exist_answers_as_a_forbidden_one(linked):
    sender, _patient, ds = linked
    ds.StudyInstanceUID = "1.2.3.999"
    assert {_get(sender, url).status_code for url in _urls(ds)} == {404}


def test_retrievals_are_recorded_once_per_study_and_reader(linked):
    sender, _patient, ds = linked
    before = AuditEvent.objects.filter(action="imaging_study.read").count()
    for url in _urls(ds)[:6]:
        assert _get(sender, url).status_code == 200
    reads = AuditEvent.objects.filter(action="imaging_study.read").order_by("id")[before:]
    assert len(reads) == 1 and reads[0].username == sender.membership.user.username
    # The same person through the browser is another reader: one more line.
    browser = Client()
    browser.force_login(sender.membership.user)
    for url in _urls(ds)[:3]:
        assert browser.get(url).status_code == 200
    assert AuditEvent.objects.filter(action="imaging_study.read").count() == before + 2


def test_refusals_are_recorded_each_time(linked):
    _sender, _patient, ds = linked
    stranger = a_sender()
    url = _urls(ds)[0]
    before = AuditEvent.objects.filter(action="imaging_study.read", outcome=4).count()
    _get(stranger, url), _get(stranger, url)
    assert AuditEvent.objects.filter(action="imaging_study.read", outcome=4).count() == before + 2


def test_a_session_stores_only_with_its_csrf_token(linked):
    sender, _patient, _ds = linked
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(sender.membership.user)
    kind = 'multipart/related; type="application/dicom"; boundary=x'
    answer = browser.post(reverse("dicomweb:studies"), data=b"--x--\r\n", content_type=kind)
    assert answer.status_code == 403


def test_no_caller_no_answer(linked):
    _sender, _patient, ds = linked
    assert Client().get(_urls(ds)[0]).status_code == 401
    assert Client().get(_urls(ds)[0], HTTP_AUTHORIZATION="Bearer xt_wrong").status_code == 401


def test_a_patients_studies_for_their_page(linked):
    from xietong.imaging.selectors import studies_of_patient_for

    sender, patient, ds = linked
    mine = studies_of_patient_for(actor=sender.actor, patient=patient)
    assert [s.study_instance_uid for s in mine] == [ds.StudyInstanceUID]
    assert studies_of_patient_for(actor=a_sender().actor, patient=patient) == []


def test_an_expert_granted_the_patient_for_a_consultation_sees_until_revoked(linked):
    from xietong.patients.grants import patient_access_grant, patient_access_revoke

    sender, patient, ds = linked
    expert = a_sender(role="expert")
    assert not _sees(expert, ds)
    patient_access_grant(actor=sender.actor, patient=patient, user_id=expert.membership.user.pk,
                         source="consultation:c1")  # fmt: skip
    assert _sees(expert, ds)
    patient_access_revoke(actor=sender.actor, source="consultation:c1")
    assert not _sees(expert, ds)
