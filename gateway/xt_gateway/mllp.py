"""The HL7 v2 listener: MLLP over TCP (asyncio), one ACK per message.

A message is acknowledged AA only after its Bundle is committed to the outbox (fsync'd);
a message the gateway cannot take is answered AE/AR with an ERR segment naming the segment
and field, and nothing is stored. MLLP frames are <VT> message <FS><CR>.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging

from . import hl7v2
from .hl7v2 import HL7Error
from .mapping import map_message
from .outbox import Outbox, OutboxFull

log = logging.getLogger("xt_gateway.mllp")

START, END = b"\x0b", b"\x1c\x0d"
MAX_MESSAGE = 16 * 2**20  # a runaway sender must not fill the gateway's memory


def accept(raw: bytes, *, outbox: Outbox, institution: str, default_encoding: str) -> bytes:
    """One message in, its ACK out. Blocking (it waits for the disk): run it off the loop."""
    incoming = None
    try:
        incoming = hl7v2.parse(raw, default_encoding=default_encoding)
        mapped = map_message(incoming, institution)
        message_id = mapped.message_id
        if not outbox.put(
            message_id=message_id,
            patient_key=mapped.patient_key,
            kind=f"{incoming.message_type}^{incoming.event}",
            raw=raw,
            bundle=mapped.bundle,
        ) and not outbox.same_content(message_id, raw):
            # The HIS reused a control id for a different message: keep both, apart.
            suffix = hashlib.sha256(raw).hexdigest()[:12]
            bundle = dict(mapped.bundle)
            bundle["identifier"] = {**bundle["identifier"], "value": f"{message_id}:{suffix}"}
            outbox.put(
                message_id=f"{message_id}:{suffix}",
                patient_key=mapped.patient_key,
                kind=f"{incoming.message_type}^{incoming.event}",
                raw=raw,
                bundle=bundle,
            )
        return hl7v2.ack(incoming, code="AA")
    except HL7Error as exc:
        log.warning("message refused (%s %s): %s", exc.ack, exc.where, exc.text)
        return hl7v2.ack(incoming, code=exc.ack, error=exc)
    except OutboxFull as exc:
        log.error("outbox cannot take a message: %s", exc)
        outbox.record_error(f"磁盘空间不足,拒收消息 / disk full: {exc}")
        error = HL7Error(
            "前置机磁盘空间不足,请稍后重发 / gateway disk full, resend later",
            code=207,
            ack="AR",
        )
        return hl7v2.ack(incoming, code="AR", error=error)
    except Exception as exc:  # never acknowledge what was not stored
        log.exception("message not accepted")
        error = HL7Error(
            f"前置机内部错误 / internal error: {type(exc).__name__}", code=207, ack="AE"
        )
        return hl7v2.ack(incoming, code="AE", error=error)


class Listener:
    def __init__(self, *, outbox: Outbox, institution: str, default_encoding: str) -> None:
        self.outbox = outbox
        self.institution = institution
        self.default_encoding = default_encoding
        # One writer at a time keeps the ACK order equal to the commit order.
        self._write = asyncio.Lock()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        try:
            while True:
                try:
                    await reader.readuntil(START)
                    frame = await reader.readuntil(END)
                except asyncio.IncompleteReadError:
                    break
                except asyncio.LimitOverrunError:
                    log.error("frame from %s over %d bytes: connection closed", peer, MAX_MESSAGE)
                    break
                raw = frame[: -len(END)]
                async with self._write:
                    reply = await asyncio.to_thread(
                        accept,
                        raw,
                        outbox=self.outbox,
                        institution=self.institution,
                        default_encoding=self.default_encoding,
                    )
                writer.write(START + reply + END)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def serve(self, host: str, port: int) -> asyncio.Server:
        return await asyncio.start_server(self.handle, host, port, limit=MAX_MESSAGE)
