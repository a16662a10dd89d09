"""Storing instances: what is kept, what is refused and why, duplicates once, the file
before the row, one audit event per study and request."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from pydicom import dcmread

from xietong.core.models import AuditEvent
from xietong.imaging.dicom import Refusal
from xietong.imaging.models import Instance, Series, Study
from xietong.imaging.services import instance_store, instances_store
from xietong.imaging.synthetic import COMPRESSED_SYNTAXES, Person, dataset_bytes

from .world import a_patient, a_sender, a_study, person_of, stored

pytestmark = pytest.mark.django_db


def _files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "imaging"
    return sorted(p for p in root.rglob("*.dcm")) if root.exists() else []


def test_a_study_is_indexed_with_its_attributes_and_its_files_kept_as_sent():
    sender = a_sender()
    patient = a_patient(sender.institution)
    datasets = a_study(person_of(patient), series_count=2, accession_number="A100")
    outcomes = stored(sender, datasets)
    assert [o.status for o in outcomes] == ["stored"] * 4
    study = Study.objects.get()
    assert study.patient == patient
    assert (study.series_count, study.instance_count) == (2, 4)
    assert study.modalities == "/CT/"
    assert study.accession_number == "A100"
    assert study.dicom_patient_id == "MRN-1"
    assert Series.objects.filter(study=study, instance_count=2).count() == 2
    assert len(_files()) == 4
    instance = Instance.objects.get(sop_instance_uid=datasets[0].SOPInstanceUID)
    assert (instance.rows, instance.columns) == (64, 64)
    back = dcmread(Path(settings.MEDIA_ROOT) / instance.file)
    assert back.SOPInstanceUID == datasets[0].SOPInstanceUID
    assert '"7FE00010"' not in instance.metadata  # no pixel data in the metadata
    assert datasets[0].SOPInstanceUID in instance.metadata


@pytest.mark.parametrize("syntax", COMPRESSED_SYNTAXES)
def test_a_compressed_instance_keeps_its_transfer_syntax(syntax):
    sender = a_sender()
    patient = a_patient(sender.institution)
    datasets = a_study(person_of(patient), instances_per_series=1, transfer_syntax=syntax)
    assert stored(sender, datasets)[0].status == "stored"
    instance = Instance.objects.get()
    assert instance.transfer_syntax_uid == syntax
    assert dcmread(Path(settings.MEDIA_ROOT) / instance.file).file_meta.TransferSyntaxUID == syntax


def _refusal(data: bytes) -> Refusal | None:
    sender = a_sender()
    outcome = instance_store(
        actor=sender.actor, institution_id=sender.institution.pk, route="stow", item=data
    )
    assert outcome.status == "refused"
    assert Instance.objects.count() == 0 and Study.objects.count() == 0
    assert _files() == []
    return outcome.reason


def test_what_is_not_dicom_is_refused_and_nothing_is_kept():
    assert _refusal(b"%PDF-1.4 not an image at all" * 10) == Refusal.NOT_DICOM


def test_a_file_cut_short_is_refused():
    data = dataset_bytes(a_study(Person("MRN-9", "李雷"), instances_per_series=1)[0])
    assert _refusal(data[: len(data) - 500]) == Refusal.TRUNCATED
    assert _refusal(data[:400]) in (Refusal.TRUNCATED, Refusal.MISSING_UID)


def test_a_compressed_file_cut_short_is_refused():
    ds = a_study(Person("MRN-9", "李雷"), instances_per_series=1,
                 transfer_syntax=COMPRESSED_SYNTAXES[1])[0]  # fmt: skip
    data = dataset_bytes(ds)
    assert _refusal(data[: len(data) - 300]) == Refusal.TRUNCATED


@pytest.mark.parametrize("keyword", ["StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"])
def test_an_instance_without_its_uids_is_refused(keyword):
    ds = a_study(Person("MRN-9", "李雷"), instances_per_series=1)[0]
    delattr(ds, keyword)
    assert _refusal(dataset_bytes(ds)) == Refusal.MISSING_UID


def test_the_same_instance_twice_is_stored_once():
    sender = a_sender()
    patient = a_patient(sender.institution)
    datasets = a_study(person_of(patient))
    assert [o.status for o in stored(sender, datasets)] == ["stored", "stored"]
    again = stored(sender, [datasets[0], datasets[0]])
    assert [o.status for o in again] == ["duplicate", "duplicate"]
    assert Instance.objects.count() == 2
    assert Study.objects.get().instance_count == 2
    assert len(_files()) == 2


def test_the_good_instances_of_a_mixed_batch_are_kept():
    sender = a_sender()
    datasets = a_study(Person("MRN-9", "李雷"))
    outcomes = instances_store(
        actor=sender.actor, institution_id=sender.institution.pk, route="stow",
        items=[dataset_bytes(datasets[0]), b"junk" * 100, dataset_bytes(datasets[1])],
    )  # fmt: skip
    assert [o.status for o in outcomes] == ["stored", "refused", "stored"]
    assert outcomes[1].reason == Refusal.NOT_DICOM
    assert outcomes[1].message  # a sentence for the person who sent it


def test_a_request_writes_one_audit_event_per_study_it_stored_into():
    sender = a_sender()
    patient = a_patient(sender.institution)
    datasets = a_study(person_of(patient), instances_per_series=60, rows=16, cols=16)
    before = AuditEvent.objects.filter(action="imaging_study.store").count()
    stored(sender, datasets + datasets[:2])
    events = AuditEvent.objects.filter(action="imaging_study.store").order_by("id")[before:]
    assert [(e.detail["stored"], e.detail["duplicates"]) for e in events] == [(60, 0)]
    assert {e.patient_id for e in events} == {patient.pk}


def test_instances_sent_to_another_study_are_refused():
    sender = a_sender()
    datasets = a_study(Person("MRN-9", "李雷"), instances_per_series=1)
    outcomes = instances_store(
        actor=sender.actor, institution_id=sender.institution.pk, route="stow",
        items=[dataset_bytes(datasets[0])], study_uid="1.2.3.4",
    )  # fmt: skip
    assert outcomes[0].reason == Refusal.STUDY_MISMATCH
    assert not Instance.objects.exists()


def test_another_institution_may_not_add_to_a_study_it_does_not_see():
    first, second = a_sender(), a_sender()
    datasets = a_study(Person("MRN-9", "李雷"))
    stored(first, datasets[:1])
    outcome = stored(second, datasets[1:])[0]
    assert outcome.reason == Refusal.STUDY_ELSEWHERE
    assert Instance.objects.count() == 1 and len(_files()) == 1
