"""QIDO-RS searches with each parameter, and what a search and a metadata read cost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from xietong.core.tests.statements import statements_at_most
from xietong.imaging.synthetic import Person

from .world import BORN, a_patient, a_sender, a_study, stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    sender = a_sender()
    a_patient(sender.institution, mrn="MRN-1", name="王芳")
    studies = {
        "ct": a_study(Person("MRN-1", "王芳", BORN, "F"), modality="CT", accession_number="A1",
                      study_date=dt.date(2026, 1, 10)),
        "mr": a_study(Person("MRN-2", "Wang^Lei", BORN, "M"), modality="MR",
                      accession_number="A2", study_date=dt.date(2026, 2, 20)),
        "dx": a_study(Person("MRN-3", "Li^Na", BORN, "F"), modality="DX", accession_number="A3",
                      study_date=dt.date(2026, 3, 30), series_count=2),
    }  # fmt: skip
    for datasets in studies.values():
        stored(sender, datasets)
    return sender, {k: v[0].StudyInstanceUID for k, v in studies.items()}, studies


def _search(sender, name="dicomweb:studies", args=(), **params):
    answer = Client().get(reverse(name, args=args), params,
                          HTTP_AUTHORIZATION=sender.headers["Authorization"])  # fmt: skip
    assert answer.status_code == 200, answer.content
    assert answer["Content-Type"] == "application/dicom+json"
    return answer.json()


def _uids(found, tag="0020000D"):
    return sorted(f[tag]["Value"][0] for f in found)


@pytest.mark.parametrize(
    ("params", "keys"),
    [
        ({}, ["ct", "mr", "dx"]),
        ({"PatientID": "MRN-2"}, ["mr"]),
        ({"00100020": "MRN-3"}, ["dx"]),  # by tag
        ({"PatientName": "王芳"}, ["ct"]),
        ({"PatientName": "wang*"}, ["mr"]),
        ({"PatientName": "*NA"}, ["dx"]),
        ({"PatientName": "L?^Na"}, ["dx"]),
        ({"StudyDate": "20260220"}, ["mr"]),
        ({"StudyDate": "20260201-20260331"}, ["mr", "dx"]),
        ({"StudyDate": "-20260131"}, ["ct"]),
        ({"StudyDate": "20260301-"}, ["dx"]),
        ({"ModalitiesInStudy": "MR"}, ["mr"]),
        ({"ModalitiesInStudy": "CT,DX"}, ["ct", "dx"]),
        ({"AccessionNumber": "A3"}, ["dx"]),
        ({"AccessionNumber": "A9"}, []),
        ({"NotIndexed": "x"}, ["ct", "mr", "dx"]),
    ],
)
def test_study_search_by_each_parameter(archive, params, keys):
    sender, uids, _studies = archive
    assert _uids(_search(sender, **params)) == sorted(uids[k] for k in keys)


def test_a_name_in_two_scripts_answers_in_both():
    sender = a_sender()
    stored(sender, a_study(Person("MRN-5", "Wang^Fang=王芳", BORN, "F"), instances_per_series=1))
    name = _search(sender, PatientID="MRN-5")[0]["00100010"]["Value"][0]
    assert name == {"Alphabetic": "Wang^Fang", "Ideographic": "王芳"}
    assert len(_search(sender, PatientName="WANG^FANG*")) == 1
    assert len(_search(sender, PatientName="王芳")) == 1
    assert len(_search(sender, PatientName="王*")) == 1
    assert len(_search(sender, PatientName="?芳")) == 1
    assert _search(sender, PatientName="芳") == []


def test_study_search_by_uid_list_and_pages(archive):
    sender, uids, _studies = archive
    both = f"{uids['ct']},{uids['dx']}"
    assert _uids(_search(sender, StudyInstanceUID=both)) == sorted([uids["ct"], uids["dx"]])
    newest_first = [f["0020000D"]["Value"][0] for f in _search(sender)]
    assert newest_first == [uids["dx"], uids["mr"], uids["ct"]]
    page = _search(sender, limit="1", offset="1")
    assert [f["0020000D"]["Value"][0] for f in page] == [uids["mr"]]


def test_a_bad_date_is_refused_in_the_users_language(archive):
    sender = archive[0]
    answer = Client().get(reverse("dicomweb:studies"), {"StudyDate": "2026-01-10"},
                          HTTP_AUTHORIZATION=sender.headers["Authorization"])  # fmt: skip
    assert answer.status_code == 422
    assert answer.json()["detail"] == "日期格式为YYYYMMDD，或范围YYYYMMDD-YYYYMMDD。"


def test_series_and_instance_searches(archive):
    sender, uids, studies = archive
    series = _search(sender, "dicomweb:study_series", [uids["dx"]])
    assert len(series) == 2 and series[0]["00201209"]["Value"] == [2]
    assert len(_search(sender, "dicomweb:all_series", Modality="MR")) == 1
    assert len(_search(sender, "dicomweb:all_series", PatientID="MRN-3")) == 2
    one = studies["mr"][1]
    found = _search(sender, "dicomweb:study_instances", [uids["mr"]],
                    SOPInstanceUID=one.SOPInstanceUID)  # fmt: skip
    assert _uids(found, "00080018") == [one.SOPInstanceUID]
    assert "00200032" not in found[0]
    more = _search(sender, "dicomweb:study_instances", [uids["mr"]], InstanceNumber="2",
                   includefield="ImagePositionPatient")  # fmt: skip
    assert more[0]["00200032"]["vr"] == "DS" and more[0]["00200013"]["Value"] == [2]
    assert len(_search(sender, "dicomweb:all_instances", ModalitiesInStudy="DX")) == 4
    assert _search(sender, "dicomweb:all_instances", includefield="all")[0]["00180050"]


def test_a_study_search_costs_a_fixed_number_of_statements(archive):
    sender = archive[0]
    # The token (and its last use), the search, the audit event (two).
    with statements_at_most(5):
        assert len(_search(sender, ModalitiesInStudy="CT", PatientName="王*")) == 1


def test_a_metadata_read_costs_a_fixed_number_of_statements(archive):
    sender, uids, _studies = archive
    url = reverse("dicomweb:study_metadata", args=[uids["dx"]])
    auth = sender.headers["Authorization"]
    # The token (and its last use), the study, its read recorded (two), the metadata.
    with statements_at_most(6):
        assert len(Client().get(url, HTTP_AUTHORIZATION=auth).json()) == 4
    # The same reader again: the read is already on record.
    with statements_at_most(4):
        assert len(Client().get(url, HTTP_AUTHORIZATION=auth).json()) == 4
