"""An arriving study is linked to the sender's patient by its MRN or resident ID, when the
name and birth date agree; otherwise it waits, unlinked, for a person to reconcile it."""

from __future__ import annotations

import datetime as dt

import pytest

from xietong.imaging.models import Study
from xietong.imaging.services.matching import Unmatched, dicom_name_matches
from xietong.imaging.synthetic import Person
from xietong.patients.models import CareReason, CareRelationship

from .world import BORN, a_patient, a_sender, a_study, stored

pytestmark = pytest.mark.django_db


def _arrives(sender, person: Person) -> Study:
    datasets = a_study(person, instances_per_series=1)
    stored(sender, datasets)
    return Study.objects.get(study_instance_uid=datasets[0].StudyInstanceUID)


def test_the_senders_mrn_with_name_and_birth_date_links_the_study():
    sender = a_sender()
    patient = a_patient(sender.institution, mrn="CT-0042")
    study = _arrives(sender, Person("CT-0042", "王芳", BORN, "F"))
    assert study.patient == patient and study.unmatched_reason == ""


def test_the_resident_id_links_the_study():
    sender = a_sender()
    patient = a_patient(sender.institution)
    study = _arrives(sender, Person(str(patient.resident_id).lower(), "王 芳", BORN, "F"))
    assert study.patient == patient


def test_an_ideographic_name_group_counts():
    assert dicom_name_matches("Wang^Fang=王芳=", "王芳")
    assert not dicom_name_matches("Wang^Fang", "王芳")


@pytest.mark.parametrize(
    ("person", "reason"),
    [
        (Person("MRN-1", "王芬", BORN, "F"), Unmatched.NAME_DIFFERS),
        (Person("MRN-1", "王芳", dt.date(1961, 3, 4), "F"), Unmatched.BIRTH_DATE_DIFFERS),
        (Person("MRN-1", "王芳", None, "F"), Unmatched.BIRTH_DATE_DIFFERS),
        (Person("MRN-2", "王芳", BORN, "F"), Unmatched.NO_PATIENT),
        (Person("", "王芳", BORN, "F"), Unmatched.NO_PATIENT),
    ],
)
def test_a_mismatch_leaves_the_study_unlinked(person, reason):
    sender = a_sender()
    a_patient(sender.institution, mrn="MRN-1")
    study = _arrives(sender, person)
    assert study.patient is None and study.unmatched_reason == reason


def test_another_institutions_mrn_or_patient_is_never_matched():
    sender, other = a_sender(), a_sender()
    patient = a_patient(other.institution, mrn="MRN-1")
    # The same MRN at the other hospital, and the resident ID of a patient not cared for here.
    assert _arrives(sender, Person("MRN-1", "王芳", BORN, "F")).patient is None
    assert _arrives(sender, Person(str(patient.resident_id), "王芳", BORN, "F")).patient is None
    CareRelationship.objects.create(
        patient=patient, institution=sender.institution, reason=CareReason.CARES
    )
    assert _arrives(sender, Person(str(patient.resident_id), "王芳", BORN, "F")).patient == patient
