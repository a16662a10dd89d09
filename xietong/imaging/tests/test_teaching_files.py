"""A teaching file is a de-identified copy of a study: what names the patient, the staff or
the institution is gone, every UID is new, the images are the same, and the archive's study
is as it was. Who may see the study may make one; who sees teaching files is narrower."""

from __future__ import annotations

import io
import zipfile

import pydicom
import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from xietong.accounts.tests.factories import MembershipFactory
from xietong.core.models import AuditEvent
from xietong.imaging.models import Instance, Study, TeachingFile
from xietong.imaging.pixels import file_bytes
from xietong.imaging.teaching.deidentify import BurnedInText, deidentify, uid_replacer

from .world import a_patient, a_sender, a_study, person_of, stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def hospital():
    sender = a_sender(role="requester")
    patient = a_patient(sender.institution, mrn="MRN-77", name="李建国")
    datasets = a_study(person_of(patient, mrn="MRN-77"), modality="CT", series_count=2,
                       institution_name="金桥县人民医院", accession_number="ACC-9001")  # fmt: skip
    stored(sender, datasets)
    study = Study.objects.get(study_instance_uid=datasets[0].StudyInstanceUID)
    return sender, patient, study


def _browser(membership) -> Client:
    browser = Client()
    browser.force_login(membership.user)
    return browser


def _zip_datasets(made: TeachingFile) -> list[pydicom.Dataset]:
    with default_storage.open(made.file, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    return [pydicom.dcmread(io.BytesIO(archive.read(n))) for n in sorted(archive.namelist())]


def test_the_copy_names_nobody_keeps_the_images_and_leaves_the_archive_as_it_was(hospital):
    sender, patient, study = hospital
    originals = {i.sop_instance_uid: file_bytes(i) for i in Instance.objects.filter(study=study)}
    browser = _browser(sender.membership)
    page = browser.get(reverse("imaging:teaching_new", args=[study.study_instance_uid]))
    assert page.status_code == 200
    assert "胸部CT平扫" in page.content.decode()  # the title offered from the study itself
    answer = browser.post(reverse("imaging:teaching_new", args=[study.study_instance_uid]),
                          {"title": "肺结节 CT 随访"})  # fmt: skip
    assert answer.status_code == 302
    made = TeachingFile.objects.get()
    assert made.title == "肺结节 CT 随访" and made.instance_count == 4 and made.series_count == 2
    assert made.modalities == "CT" and made.number.startswith("JX-")

    copies = _zip_datasets(made)
    assert len(copies) == 4
    raw = b"".join(ds.PixelData for ds in copies)
    with default_storage.open(made.file, "rb") as handle:
        whole = handle.read()
    old_uids = {study.study_instance_uid, *originals}
    for ds in copies:
        assert str(ds.PatientName) == f"TEACHING^{made.number}" and ds.PatientID == made.number
        assert ds.PatientBirthDate == "" and ds.PatientSex == "" and ds.AccessionNumber == ""
        assert ds.StudyDate == "" and "InstitutionName" not in ds
        assert "StudyDescription" not in ds and "SeriesDescription" not in ds
        assert ds.PatientIdentityRemoved == "YES"
        assert ds.DeidentificationMethodCodeSequence[0].CodeValue == "113100"
        assert ds.StudyInstanceUID not in old_uids and ds.SOPInstanceUID not in old_uids
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
    # One new study, its two series kept apart, each instance its own new UID.
    assert len({ds.StudyInstanceUID for ds in copies}) == 1
    assert len({ds.SeriesInstanceUID for ds in copies}) == 2
    assert len({ds.SOPInstanceUID for ds in copies}) == 4
    # The images are the ones sent.
    sent = [pydicom.dcmread(io.BytesIO(b)) for b in originals.values()]
    assert sorted(ds.PixelData for ds in copies) == sorted(ds.PixelData for ds in sent)
    assert raw
    # Nothing that names the patient or the hospital is left anywhere in the files.
    for word in ("李建国", "MRN-77", "ACC-9001", "金桥县人民医院", study.study_instance_uid):
        assert word.encode() not in whole
    # The archive's files are as they came.
    for instance in Instance.objects.filter(study=study):
        assert file_bytes(instance) == originals[instance.sop_instance_uid]
    # The only link back is in the audit log.
    event = AuditEvent.objects.get(action="teaching_file.make")
    assert event.detail["study"] == str(study.uuid) and event.patient_id == patient.pk


def test_the_list_and_the_download_are_for_the_makers_institution_and_educators(hospital):
    sender, _patient, study = hospital
    browser = _browser(sender.membership)
    browser.post(reverse("imaging:teaching_new", args=[study.study_instance_uid]),
                 {"title": "典型大叶性肺炎"})  # fmt: skip
    made = TeachingFile.objects.get()
    listing = browser.get(reverse("imaging:teaching_list")).content.decode()
    assert "典型大叶性肺炎" in listing and made.number in listing
    download = browser.get(reverse("imaging:teaching_download", args=[made.uuid]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    body = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None
    assert AuditEvent.objects.filter(action="teaching_file.read").count() == 1

    elsewhere = a_sender(role="requester")  # a clinician of another hospital
    stranger = _browser(elsewhere.membership)
    assert "典型大叶性肺炎" not in stranger.get(reverse("imaging:teaching_list")).content.decode()
    assert stranger.get(reverse("imaging:teaching_download", args=[made.uuid])).status_code == 404

    lecturer = _browser(MembershipFactory(institution=elsewhere.institution, roles=["lecturer"]))
    assert "典型大叶性肺炎" in lecturer.get(reverse("imaging:teaching_list")).content.decode()
    assert lecturer.get(reverse("imaging:teaching_download", args=[made.uuid])).status_code == 200


def test_who_may_not_see_the_study_cannot_copy_it(hospital):
    _sender, _patient, study = hospital
    stranger = _browser(a_sender(role="requester").membership)
    url = reverse("imaging:teaching_new", args=[study.study_instance_uid])
    assert stranger.get(url).status_code == 404
    assert stranger.post(url, {"title": "偷看"}).status_code == 404
    assert not TeachingFile.objects.exists()


def test_a_missing_title_is_asked_for_and_nothing_is_made(hospital):
    sender, _patient, study = hospital
    url = reverse("imaging:teaching_new", args=[study.study_instance_uid])
    answer = _browser(sender.membership).post(url, {"title": "   "})
    assert answer.status_code == 200
    assert "这是必填项" in answer.content.decode() or "必填" in answer.content.decode()
    assert not TeachingFile.objects.exists()


def test_burned_in_text_is_refused_and_leaves_nothing(hospital, settings):
    sender, patient, _study = hospital
    datasets = a_study(person_of(patient, mrn="MRN-77"), modality="DX")
    datasets[0].BurnedInAnnotation = "YES"
    stored(sender, datasets)
    study = Study.objects.get(study_instance_uid=datasets[0].StudyInstanceUID)
    url = reverse("imaging:teaching_new", args=[study.study_instance_uid])
    browser = _browser(sender.membership)
    answer = browser.post(url, {"title": "胸片"}, HTTP_REFERER=url, follow=True)
    assert "文字" in answer.content.decode()  # the refusal says why, in Chinese
    assert not TeachingFile.objects.exists()
    if default_storage.exists("teaching"):
        assert default_storage.listdir("teaching")[1] == []


def test_the_uids_of_one_copy_map_alike_and_of_two_copies_differ():
    first, second = uid_replacer(secret=b"a" * 32), uid_replacer(secret=b"b" * 32)
    assert first("1.2.3") == first("1.2.3") != second("1.2.3")
    assert first("1.2.3").startswith("2.25.") and len(first("1.2.3")) <= 64


def test_private_attributes_and_overlays_go_and_the_original_is_untouched():
    ds = a_study(person_of_stub(), modality="MR")[0]
    ds.add_new(0x00091001, "LO", "院内私有标签")
    ds.add_new(0x60003000, "OW", b"\x00\x01" * 8)
    out = deidentify(ds, new_uid=uid_replacer(secret=b"s" * 32), label="JX-1")
    assert 0x00091001 not in out and 0x60003000 not in out
    assert 0x00091001 in ds and str(ds.PatientName) != "TEACHING^JX-1"
    ds.BurnedInAnnotation = "YES"
    with pytest.raises(BurnedInText):
        deidentify(ds, new_uid=uid_replacer(secret=b"s" * 32), label="JX-1")


def person_of_stub():
    from xietong.imaging.synthetic import Person

    return Person(patient_id="P-1", name="张三", birth_date=None, sex="M")
