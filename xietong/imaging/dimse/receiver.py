"""The DICOM receiver: accepts an association only from a node the directory knows (its
calling AE title, from one of its addresses, the node and its institution in use), answers
C-ECHO, and hands each C-STORE's instance, as received, to the ingest it was given.

The receiver stores nothing itself: `ingest` is whatever the archive provides (called in the
association's thread with the instance's DICOM Part 10 bytes, exactly as the sender encoded
them, and who sent it) and returns the C-STORE status to answer. So the network part is
tested with real associations here, and the archive's rules stay in the archive.

Both ends of an association must disable Nagle's algorithm (STANDARDS.md, DICOM networking
note): pynetdicom does not, so every accepted socket gets TCP_NODELAY as it opens. A client
built on pynetdicom does the same with `nodelay_set` as its EVT_CONN_OPEN handler."""

from __future__ import annotations

import logging
import socket
import struct
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.db import connections
from pynetdicom import (
    AE,
    ALL_TRANSFER_SYNTAXES,
    PYNETDICOM_IMPLEMENTATION_UID,
    PYNETDICOM_IMPLEMENTATION_VERSION,
    AllStoragePresentationContexts,
    evt,
)
from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]

from xietong.directory.selectors import dicom_node_for

from .answers import answers_written
from .waking import association_forget, association_waking, reads_whole

if TYPE_CHECKING:
    from xietong.directory.models import DicomNode

LOGGER = logging.getLogger(__name__)

# C-STORE statuses an ingest answers with (PS3.4 Annex B.2.3).
STATUS_SUCCESS = 0x0000
STATUS_OUT_OF_RESOURCES = 0xA700
STATUS_CANNOT_UNDERSTAND = 0xC000
# A-ASSOCIATE-RJ: rejected permanently, by the service user, calling AE title not recognised.
_REJECT_PERMANENT, _REJECT_BY_USER, _CALLING_AE_UNKNOWN = 0x01, 0x01, 0x03


@dataclass(frozen=True)
class Sender:
    """Who sent an instance: the registered node and its institution, as the association
    was accepted."""

    institution_id: int
    institution_code: str
    node_id: int
    ae_title: str
    address: str
    # This association's own key: what the archive remembers for it lasts as long as it.
    association: str = ""


class Ingest(Protocol):
    """What the archive gives the receiver: takes one instance (a DICOM Part 10 file, the
    transfer syntax as the sender chose it) and returns the C-STORE status to answer."""

    def __call__(self, *, data: bytes, sender: Sender) -> int: ...


NodeLookup = Callable[..., "DicomNode | None"]
# Called in the association's thread when it is released or aborted: what the archive does
# once for all the association stored (its commits made durable).
Ended = Callable[[Sender], None]


def _element(tag: int, vr: bytes, value: bytes) -> bytes:
    """One explicit VR little endian element of the file meta group."""
    if vr == b"OB":
        return struct.pack("<HH2s2xL", tag >> 16, tag & 0xFFFF, vr, len(value)) + value
    return struct.pack("<HH2sH", tag >> 16, tag & 0xFFFF, vr, len(value)) + value


def _ui(value: str) -> bytes:
    raw = value.encode("ascii")
    return raw + b"\0" if len(raw) % 2 else raw


def part10_of(*, sop_class_uid: str, sop_instance_uid: str, transfer_syntax: str,
              dataset: bytes) -> bytes:  # fmt: skip
    """The instance as a DICOM Part 10 file: the file meta group written here (as
    pynetdicom's encoded_dataset() writes it, without building a pydicom dataset for each
    instance) before the dataset's bytes exactly as the sender encoded them."""
    version = PYNETDICOM_IMPLEMENTATION_VERSION.encode("ascii")
    group = b"".join((
        _element(0x00020001, b"OB", b"\x00\x01"),
        _element(0x00020002, b"UI", _ui(sop_class_uid)),
        _element(0x00020003, b"UI", _ui(sop_instance_uid)),
        _element(0x00020010, b"UI", _ui(transfer_syntax)),
        _element(0x00020012, b"UI", _ui(PYNETDICOM_IMPLEMENTATION_UID)),
        _element(0x00020013, b"SH", version + b" " if len(version) % 2 else version),
    ))  # fmt: skip
    length = _element(0x00020000, b"UL", struct.pack("<L", len(group)))
    return b"".join((bytes(128), b"DICM", length, group, dataset))


def nodelay_set(event: Any) -> None:
    """EVT_CONN_OPEN handler: disables Nagle's algorithm on the association's socket."""
    sock = getattr(event.assoc.dul.socket, "socket", None)
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _connection_opened(event: Any) -> None:
    """EVT_CONN_OPEN: Nagle's algorithm off, the association's threads wait for work rather
    than poll for it, its socket reads a PDU in large reads (dimse/waking.py), and its
    successful C-STORE answers are written as bytes (dimse/answers.py)."""
    nodelay_set(event)
    association_waking(event.assoc)
    reads_whole(event.assoc)
    answers_written(event.assoc)


class Receiver:
    """A DICOM application entity (Storage SCP and Verification SCP) on one port.

    receiver = Receiver(ae_title="XIETONG", ingest=archive_ingest)
    receiver.start("0.0.0.0", 11112)   # returns at once; associations run in threads
    ...
    receiver.stop()
    """

    def __init__(
        self,
        *,
        ae_title: str,
        ingest: Ingest,
        node_for: NodeLookup = dicom_node_for,
        ended: Ended | None = None,
    ) -> None:
        self.ingest = ingest
        self.ended = ended
        self.node_for = node_for
        self.ae = AE(ae_title=ae_title)
        # Every storage SOP class in every transfer syntax: an instance is kept as sent.
        for context in AllStoragePresentationContexts:
            if context.abstract_syntax is not None:
                self.ae.add_supported_context(context.abstract_syntax, ALL_TRANSFER_SYNTAXES)
        self.ae.add_supported_context(Verification)
        # Large PDUs: fewer round trips for 512 KB images (0: whatever the sender likes).
        self.ae.maximum_pdu_size = 0
        self._senders: dict[int, Sender] = {}
        self._lock = threading.Lock()
        self._server: Any = None

    # ---------------------------------------------------------------- the server

    def start(self, host: str, port: int) -> None:
        handlers: list[Any] = [
            (evt.EVT_CONN_OPEN, _connection_opened),
            (evt.EVT_REQUESTED, self._on_requested),
            (evt.EVT_C_ECHO, self._on_echo),
            (evt.EVT_C_STORE, self._on_store),
            (evt.EVT_RELEASED, self._on_ended),
            (evt.EVT_ABORTED, self._on_ended),
            (evt.EVT_CONN_CLOSE, self._on_closed),
        ]
        self._server = self.ae.start_server((host, port), block=False, evt_handlers=handlers)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server = None

    # ---------------------------------------------------------------- the handlers

    def _on_requested(self, event: Any) -> None:
        """A-ASSOCIATE-RQ: refused unless the directory knows the caller."""
        assoc = event.assoc
        calling = str(assoc.requestor.primitive.calling_ae_title)
        address = str(assoc.requestor.address)
        try:
            node = self.node_for(ae_title=calling, address=address)
        finally:
            # Each association runs in a thread of its own: its connection goes with it.
            connections.close_all()
        if node is None:
            LOGGER.warning("association refused: calling AE %r from %s", calling, address)
            assoc.acse.send_reject(_REJECT_PERMANENT, _REJECT_BY_USER, _CALLING_AE_UNKNOWN)
            # As pynetdicom's own refusals do: wait until the rejection has gone out before
            # the server closes the socket (else the sender sees an abort, not the reason).
            evt.trigger(assoc, evt.EVT_REJECTED, {})
            assoc.kill()
            return
        sender = Sender(
            institution_id=node.institution_id,
            institution_code=node.institution.code,
            node_id=node.pk,
            ae_title=node.ae_title,
            address=address,
            association=uuid.uuid4().hex,
        )
        with self._lock:
            self._senders[id(assoc)] = sender

    def _on_echo(self, event: Any) -> int:
        return STATUS_SUCCESS

    def _on_store(self, event: Any) -> int:
        with self._lock:
            sender = self._senders.get(id(event.assoc))
        if sender is None:  # cannot happen: only accepted associations get here
            return STATUS_CANNOT_UNDERSTAND
        try:
            request = event.request
            data = part10_of(
                sop_class_uid=str(request.AffectedSOPClassUID),
                sop_instance_uid=str(request.AffectedSOPInstanceUID),
                transfer_syntax=str(event.context.transfer_syntax),
                dataset=request.DataSet.getvalue(),
            )
            return int(self.ingest(data=data, sender=sender))
        except Exception:
            # The sender learns the instance was not stored and may send it again; the
            # association goes on with the next one.
            LOGGER.exception("C-STORE from %s: the ingest failed", sender.ae_title)
            return STATUS_OUT_OF_RESOURCES

    def _on_ended(self, event: Any) -> None:
        # Released or aborted, in the association's own thread (the one the ingest ran in):
        # the archive ends its store, and its database connection is closed with it.
        with self._lock:
            sender = self._senders.get(id(event.assoc))
        try:
            if sender is not None and self.ended is not None:
                self.ended(sender)
        except Exception:
            LOGGER.exception(
                "the end of an association from %s failed", event.assoc.requestor.ae_title
            )
        finally:
            connections.close_all()

    def _on_closed(self, event: Any) -> None:
        # In the network layer's thread: the association's sender is forgotten, and its
        # wake-ups.
        with self._lock:
            self._senders.pop(id(event.assoc), None)
        association_forget(event.assoc)
