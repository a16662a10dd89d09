"""The DICOM receiver with real associations on the loopback, pynetdicom as the sender: a
registered node's association is accepted, answers C-ECHO and hands each C-STORE's instance,
byte for byte as sent, to the ingest; an unknown AE title, a wrong address, a node out of
use are refused at association; a failing ingest fails that instance only. Both sockets
have Nagle's algorithm off."""

from __future__ import annotations

import datetime as dt
import io
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.db import connection
from pydicom import dcmread
from pydicom.uid import UID, CTImageStorage, ExplicitVRLittleEndian, RLELossless
from pynetdicom import AE, evt
from pynetdicom.association import Association
from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]

from xietong.directory.models import DicomNode, Institution
from xietong.directory.tests.factories import InstitutionFactory
from xietong.imaging.dimse import (
    STATUS_OUT_OF_RESOURCES,
    STATUS_SUCCESS,
    Receiver,
    Sender,
    nodelay_set,
)
from xietong.imaging.synthetic import Person, study_make

pytestmark = pytest.mark.django_db(transaction=True)

PERSON = Person(patient_id="MRN-7", name="王芳", birth_date=dt.date(1960, 3, 4), sex="F")


class Archive:
    """An ingest that keeps what it is given (the real one is the archive's)."""

    def __init__(self) -> None:
        self.received: list[tuple[bytes, Sender]] = []
        self.fail_next: BaseException | int | None = None
        self.lock = threading.Lock()

    def __call__(self, *, data: bytes, sender: Sender) -> int:
        # The real ingest writes the index: this one reads the database as it would.
        assert DicomNode.objects.filter(pk=sender.node_id).exists()
        with self.lock:
            failure, self.fail_next = self.fail_next, None
            if isinstance(failure, BaseException):
                raise failure
            if failure is not None:
                return failure
            self.received.append((data, sender))
        return STATUS_SUCCESS


@pytest.fixture
def archive() -> Archive:
    return Archive()


@pytest.fixture
def receiver(archive: Archive) -> Iterator[Receiver]:
    running = Receiver(ae_title="XIETONG", ingest=archive)
    running.start("127.0.0.1", 0)
    yield running
    running.stop()


def _hospital() -> Institution:
    return cast(Institution, InstitutionFactory(name="金桥县医院", level="county"))


def _associate(receiver: Receiver, calling: str) -> Association:
    sender = AE(ae_title=calling)
    sender.add_requested_context(Verification)
    # One context per syntax: the acceptor picks one syntax per context.
    sender.add_requested_context(CTImageStorage, ExplicitVRLittleEndian)
    sender.add_requested_context(CTImageStorage, RLELossless)
    return sender.associate(
        "127.0.0.1", receiver.port, ae_title="XIETONG",
        evt_handlers=[(evt.EVT_CONN_OPEN, nodelay_set)],
    )  # fmt: skip


def _nodelay(sock: Any) -> bool:
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


def test_a_registered_node_echoes_over_sockets_without_nagle(receiver: Receiver) -> None:
    DicomNode.objects.create(institution=_hospital(), ae_title="JQX_PACS")
    assoc = _associate(receiver, "JQX_PACS")
    try:
        assert assoc.is_established
        assert assoc.send_c_echo().Status == STATUS_SUCCESS
        assert _nodelay(assoc.dul.socket.socket)  # type: ignore[union-attr]
        accepted = [a for a in receiver.ae.active_associations if a.is_acceptor]
        assert len(accepted) == 1 and _nodelay(accepted[0].dul.socket.socket)  # type: ignore[union-attr]
    finally:
        assoc.release()


@pytest.mark.parametrize(
    ("calling", "registered"),
    [
        ("STRANGER", {"ae_title": "JQX_PACS"}),
        ("JQX_PACS", {"ae_title": "JQX_PACS", "addresses": ["10.0.0.0/8"]}),
        ("JQX_PACS", {"ae_title": "JQX_PACS", "active": False}),
    ],
    ids=["unknown AE title", "from another address", "node out of use"],
)
def test_an_association_the_directory_does_not_allow_is_rejected(
    receiver: Receiver, archive: Archive, calling: str, registered: dict[str, Any]
) -> None:
    DicomNode.objects.create(institution=_hospital(), **registered)
    assoc = _associate(receiver, calling)
    assert assoc.is_rejected and not assoc.is_established
    # Rejected permanently by the service user: calling AE title not recognised.
    rejection = assoc.acceptor.primitive
    assert rejection is not None
    assert (rejection.result, rejection.result_source, rejection.diagnostic) == (1, 1, 3)
    assert archive.received == []


def test_each_instance_reaches_the_ingest_as_sent_with_its_sender(
    receiver: Receiver, archive: Archive
) -> None:
    hospital = _hospital()
    node = DicomNode.objects.create(institution=hospital, ae_title="JQX_CT")
    plain = study_make(person=PERSON, instances_per_series=2, rows=64, cols=64)
    packed = study_make(
        person=PERSON, instances_per_series=1, rows=64, cols=64, transfer_syntax=RLELossless
    )
    assoc = _associate(receiver, "JQX_CT")
    try:
        for ds in [*plain, *packed]:
            assert assoc.send_c_store(ds).Status == STATUS_SUCCESS
    finally:
        assoc.release()
    assert len(archive.received) == 3
    associations = {sender.association for _data, sender in archive.received}
    assert len(associations) == 1 and all(associations)  # one key, the association's
    for (data, sender), sent in zip(archive.received, [*plain, *packed], strict=True):
        back = dcmread(io.BytesIO(data))
        assert back.SOPInstanceUID == sent.SOPInstanceUID
        assert back.file_meta.TransferSyntaxUID == sent.file_meta.TransferSyntaxUID
        assert back.PixelData == sent.PixelData  # the compressed bytes kept, not re-encoded
        assert str(back.PatientName) == "王芳"
        assert sender == Sender(
            institution_id=hospital.pk, institution_code=hospital.code, node_id=node.pk,
            ae_title="JQX_CT", address="127.0.0.1", association=sender.association,
        )  # fmt: skip


def test_a_failing_ingest_fails_that_instance_and_the_association_goes_on(
    receiver: Receiver, archive: Archive
) -> None:
    DicomNode.objects.create(institution=_hospital(), ae_title="JQX_CT")
    first, second, third = study_make(person=PERSON, instances_per_series=3, rows=32, cols=32)
    assoc = _associate(receiver, "JQX_CT")
    try:
        archive.fail_next = RuntimeError("storage is full")
        assert assoc.send_c_store(first).Status == STATUS_OUT_OF_RESOURCES
        archive.fail_next = 0xA900  # the ingest's own refusal goes back as it is
        assert assoc.send_c_store(second).Status == 0xA900
        assert assoc.send_c_store(third).Status == STATUS_SUCCESS
    finally:
        assoc.release()
    assert [dcmread(io.BytesIO(d)).SOPInstanceUID for d, _s in archive.received] == [
        third.SOPInstanceUID
    ]


def _backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def test_an_association_leaves_no_database_connection_behind(receiver: Receiver) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("counts PostgreSQL's connections")
    DicomNode.objects.create(institution=_hospital(), ae_title="JQX_PACS")
    instances = study_make(person=PERSON, instances_per_series=2, rows=32, cols=32)
    before = _backends()
    # Two accepted associations that each store an instance, one refused between them.
    for calling, ds in [("JQX_PACS", instances[0]), ("STRANGER", instances[1]),
                        ("JQX_PACS", instances[1])]:  # fmt: skip
        assoc = _associate(receiver, calling)
        if assoc.is_established:
            assert assoc.send_c_store(ds).Status == STATUS_SUCCESS
            assoc.release()
    # The receiver's association threads end just after answering the release.
    deadline = time.monotonic() + 10
    while receiver.ae.active_associations and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not receiver.ae.active_associations
    assert _backends() == before


@pytest.mark.parametrize("syntax", ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2.5"])
def test_the_file_meta_written_by_hand_is_pynetdicoms(syntax: str) -> None:
    from pynetdicom.dsutils import create_file_meta, encode_file_meta

    from xietong.imaging.dimse.receiver import part10_of

    meta = create_file_meta(
        sop_class_uid=UID("1.2.840.10008.5.1.4.1.1.2"),
        sop_instance_uid=UID("1.2.3.4.55"),
        transfer_syntax=UID(syntax),
    )
    expected = bytes(128) + b"DICM" + encode_file_meta(meta) + b"DATASET!"
    made = part10_of(sop_class_uid="1.2.840.10008.5.1.4.1.1.2", sop_instance_uid="1.2.3.4.55",
                     transfer_syntax=syntax, dataset=b"DATASET!")  # fmt: skip
    assert made == expected
