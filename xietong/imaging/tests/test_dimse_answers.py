"""The C-STORE answer the receiver writes itself is, byte for byte, the one pynetdicom
would have encoded for the same instance."""

from __future__ import annotations

from pynetdicom.dimse_messages import C_STORE_RSP
from pynetdicom.dimse_primitives import C_STORE
from pynetdicom.dsutils import encode

from xietong.imaging.dimse.answers import store_answer_bytes

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"


def _pynetdicoms(sop_class_uid: str, sop_instance_uid: str, message_id: int) -> bytes:
    primitive = C_STORE()
    primitive.AffectedSOPClassUID = sop_class_uid
    primitive.AffectedSOPInstanceUID = sop_instance_uid
    primitive.MessageIDBeingRespondedTo = message_id
    primitive.Status = 0x0000
    message = C_STORE_RSP()
    message.primitive_to_message(primitive)
    encoded = encode(message.command_set, True, True)
    assert encoded is not None
    return bytes(encoded)


def test_the_written_answer_is_the_one_pynetdicom_encodes():
    # UIDs of odd and even length (an odd one is padded), message ids small and large.
    for instance_uid, message_id in (("1.2.3.4.5", 1), ("1.2.826.0.1.3680043.8.498.12", 65535)):
        ours = store_answer_bytes(sop_class_uid=CT_IMAGE_STORAGE, sop_instance_uid=instance_uid,
                                  message_id=message_id, status=0x0000)  # fmt: skip
        assert ours == _pynetdicoms(CT_IMAGE_STORAGE, instance_uid, message_id)
