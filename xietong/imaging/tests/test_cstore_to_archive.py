"""C-STORE into the archive, end to end: a hospital's registered PACS sends a study over a
real association to the receiver `manage dicom_receiver` runs, and the study is in the
archive, linked to the hospital's patient, kept as sent, audited under the node's AE title;
sending it again stores nothing twice. The command's receiver, with the archive's ingest."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.files.storage import default_storage
from pydicom import dcmread
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, RLELossless
from pynetdicom import AE, evt

from xietong.core.models import AuditEvent
from xietong.directory.models import DicomNode
from xietong.imaging.dimse import STATUS_SUCCESS, Receiver, nodelay_set
from xietong.imaging.management.commands.dicom_receiver import archive_ingest
from xietong.imaging.models import Instance, Study

from .world import a_patient, a_sender, a_study, person_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver(ae_title="XIETONG", ingest=archive_ingest)
    running.start("127.0.0.1", 0)
    yield running
    running.stop()


def _send(receiver: Receiver, calling: str, datasets: list) -> list[int]:
    pacs = AE(ae_title=calling)
    pacs.add_requested_context(CTImageStorage, ExplicitVRLittleEndian)
    pacs.add_requested_context(CTImageStorage, RLELossless)
    assoc = pacs.associate(
        "127.0.0.1", receiver.port, ae_title="XIETONG",
        evt_handlers=[(evt.EVT_CONN_OPEN, nodelay_set)],
    )  # fmt: skip
    assert assoc.is_established
    try:
        return [int(assoc.send_c_store(ds).Status) for ds in datasets]
    finally:
        assoc.release()


def test_a_pacs_sends_a_study_and_it_is_in_the_archive_linked_to_the_patient(
    receiver: Receiver,
) -> None:
    sender = a_sender()
    patient = a_patient(sender.institution, mrn="CT-0042")
    DicomNode.objects.create(institution=sender.institution, ae_title="JQX_CT")
    plain = a_study(person_of(patient, mrn="CT-0042"), instances_per_series=2)
    packed = a_study(
        person_of(patient, mrn="CT-0042"),
        instances_per_series=1,
        study_uid=plain[0].StudyInstanceUID,
        transfer_syntax=RLELossless,
    )
    assert _send(receiver, "JQX_CT", plain + packed) == [STATUS_SUCCESS] * 3

    study = Study.objects.get(study_instance_uid=plain[0].StudyInstanceUID)
    assert study.patient_id == patient.pk
    assert study.institution_id == sender.institution.pk
    assert Instance.objects.filter(series__study=study).count() == 3
    kept = Instance.objects.get(sop_instance_uid=packed[0].SOPInstanceUID)
    with default_storage.open(kept.file) as f:
        assert dcmread(f).file_meta.TransferSyntaxUID == RLELossless  # as sent
    # One event for the study and the association, in the transaction of its first instance.
    stored = AuditEvent.objects.filter(action="imaging_study.store", resource_id=study.uuid)
    assert stored.count() == 1 and "JQX_CT" in stored.get().username
    assert stored.get().detail["association"]

    # The PACS sends the study again: accepted, nothing stored twice.
    assert _send(receiver, "JQX_CT", plain) == [STATUS_SUCCESS] * 2
    assert Instance.objects.filter(series__study=study).count() == 3
    assert stored.count() == 1  # nothing was written, so nothing more is on record
