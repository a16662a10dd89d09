"""A C-STORE's answer written as bytes, as the receiver's part10_of writes a file's meta.

pynetdicom answers each C-STORE by building a pydicom dataset for the command set, encoding
it and measuring its group length with pydicom's writer: about a fifth of the CPU an
instance cost the receiver (bench/imaging_cpu.py --what cstore --profile). A successful
answer always has the same seven elements (PS3.7 9.3.1.2, table 9.3-2; a command set is
Implicit VR Little Endian, PS3.7 6.3.1), so it is written here and sent as one P-DATA,
wholly in one PDV (it is about a hundred bytes; every PDU a peer may ask for is larger).
Any other answer (a failure, a warning with a comment or offending elements) is pynetdicom's
own, as is every other message. EVT_DIMSE_SENT is not triggered for the answers written
here: the receiver binds no handler to it."""

from __future__ import annotations

import struct
from typing import Any

from pynetdicom.dimse_primitives import C_STORE
from pynetdicom.pdu_primitives import P_DATA

_C_STORE_RSP = 0x8001
_NO_DATA_SET = 0x0101
# Message control header of a PDV (PS3.8 E.2): a command, its last fragment.
_LAST_COMMAND_FRAGMENT = b"\x03"


def _ui(tag: int, value: str) -> bytes:
    raw = value.encode("ascii")
    if len(raw) % 2:
        raw += b"\0"
    return struct.pack("<HHL", 0x0000, tag, len(raw)) + raw


def _us(tag: int, value: int) -> bytes:
    return struct.pack("<HHLH", 0x0000, tag, 2, value)


def store_answer_bytes(*, sop_class_uid: str, sop_instance_uid: str, message_id: int,
                       status: int) -> bytes:  # fmt: skip
    """The command set of a C-STORE-RSP without a data set, group length first."""
    elements = b"".join((
        _ui(0x0002, sop_class_uid),
        _us(0x0100, _C_STORE_RSP),
        _us(0x0120, message_id),
        _us(0x0800, _NO_DATA_SET),
        _us(0x0900, status),
        _ui(0x1000, sop_instance_uid),
    ))  # fmt: skip
    return struct.pack("<HHLL", 0x0000, 0x0000, 4, len(elements)) + elements


def _plain(primitive: Any) -> bool:
    """Whether the answer is one this module writes: a C-STORE-RSP of success with nothing
    but its UIDs, its message id and its status."""
    return bool(
        isinstance(primitive, C_STORE)
        and primitive.MessageIDBeingRespondedTo is not None
        and primitive.Status == 0x0000
        and primitive.AffectedSOPClassUID
        and primitive.AffectedSOPInstanceUID
        and not getattr(primitive, "ErrorComment", None)
        and not getattr(primitive, "OffendingElement", None)
    )


def answers_written(assoc: Any) -> None:
    """The association's successful C-STORE answers are written here (from its
    EVT_CONN_OPEN handler, before its threads start); every other message as before."""
    dimse = assoc.dimse
    theirs = dimse.send_msg

    def send_msg(primitive: Any, context_id: int) -> None:
        if not _plain(primitive):
            theirs(primitive, context_id)
            return
        command = store_answer_bytes(
            sop_class_uid=str(primitive.AffectedSOPClassUID),
            sop_instance_uid=str(primitive.AffectedSOPInstanceUID),
            message_id=int(primitive.MessageIDBeingRespondedTo),
            status=0x0000,
        )
        pdata = P_DATA()
        pdata.presentation_data_value_list.append((context_id, _LAST_COMMAND_FRAGMENT + command))
        dimse.dul.send_pdu(pdata)

    dimse.send_msg = send_msg
