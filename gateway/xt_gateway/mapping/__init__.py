"""HL7 v2 messages as FHIR R4 Bundles: pure functions of the message and the institution."""

from __future__ import annotations

from ..hl7v2 import HL7Error, Incoming
from .adt import map_adt
from .common import BundleBuilder, Mapped
from .orm import map_orm
from .oru import map_oru

# What the gateway takes; anything else is refused (AR) before it is acknowledged.
SUPPORTED = {
    ("ADT", "A01"): map_adt,
    ("ADT", "A03"): map_adt,
    ("ADT", "A04"): map_adt,
    ("ADT", "A08"): map_adt,
    ("ADT", "A40"): map_adt,
    ("ORU", "R01"): map_oru,
    ("ORM", "O01"): map_orm,
    ("OMG", "O19"): map_orm,
}


def message_id(incoming: Incoming, institution: str) -> str:
    app = incoming.sending_application or "HIS"
    return f"{institution}:{app}:{incoming.control_id}"


def map_message(incoming: Incoming, institution: str) -> Mapped:
    mapper = SUPPORTED.get((incoming.message_type, incoming.event))
    if mapper is None:
        raise HL7Error(
            f"不接收 {incoming.message_type}^{incoming.event} 消息 / message type not supported",
            segment="MSH",
            field=9,
            code=200,
            ack="AR",
        )
    builder = BundleBuilder(message_id=message_id(incoming, institution))
    key = mapper(incoming, institution, builder)
    return Mapped(
        message_id=builder.message_id,
        patient_key=f"{institution}|{key.mrn}",
        bundle=builder.bundle(),
    )
