"""`manage dicom_receiver`: receives studies by DICOM C-STORE from the hospitals' PACS and
modalities registered as DICOM nodes in the directory, and answers C-ECHO.

`./xt demo` and `./xt serve` start it beside the web server, on XT_DICOM_PORT (default
11112) as XT_DICOM_AE_TITLE (default XIETONG). Each instance goes to the archive's one
entrance (imaging/services/ingest.py) as received; an instance the archive refuses is
answered with a failure status for that instance alone, and the association goes on."""

from __future__ import annotations

import gc
import signal
import threading
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from xietong.imaging.dimse import (
    STATUS_CANNOT_UNDERSTAND,
    STATUS_SUCCESS,
    Receiver,
    Sender,
)
from xietong.imaging.services.ingest import StoreSession, instance_store, session_flush

# Each association runs in a thread of its own: its store session (the studies and series it
# resolved, the studies it audited) is that thread's, and goes with it.
_local = threading.local()


def _session_for(sender: Sender) -> StoreSession:
    session: StoreSession | None = getattr(_local, "session", None)
    if session is None or session.association != sender.association:
        session = StoreSession(actor=None, institution_id=sender.institution_id,
                               route="cstore", agent=sender.ae_title,
                               association=sender.association,
                               flush_deferred=not settings.XT_DICOM_FLUSH_EACH)  # fmt: skip
        _local.session = session
    return session


def archive_association_end(sender: Sender) -> None:
    """The association is over: its commits are made durable before its thread goes
    (docs/adr/0029-cstore-throughput.md)."""
    session: StoreSession | None = getattr(_local, "session", None)
    if session is not None and session.association == sender.association:
        session_flush(session)
        _local.session = None


def archive_ingest(*, data: bytes, sender: Sender) -> int:
    """One C-STORE into the archive, for the sender's institution, committed before it is
    acknowledged; its AE title names it in the audit record (no person sends a C-STORE)."""
    outcome = instance_store(
        actor=None,
        institution_id=sender.institution_id,
        route="cstore",
        item=data,
        agent=sender.ae_title,
        session=_session_for(sender),
    )
    return STATUS_SUCCESS if outcome.accepted else STATUS_CANNOT_UNDERSTAND


class Command(BaseCommand):
    help = "Receive studies by DICOM C-STORE from registered DICOM nodes; answer C-ECHO."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=settings.XT_DICOM_PORT)
        parser.add_argument("--ae-title", default=settings.XT_DICOM_AE_TITLE)

    def handle(self, *args: Any, host: str, port: int, ae_title: str, **options: Any) -> None:
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        receiver = Receiver(ae_title=ae_title, ingest=archive_ingest, ended=archive_association_end)
        try:
            receiver.start(host, port)
        except OSError as exc:
            # Another program holds the port (a second demo on this machine): the web server
            # beside this one must not stop for it, so say so and wait to be stopped.
            self.stderr.write(
                f"the DICOM port {host}:{port} cannot be opened ({exc.strerror}); no C-STORE "
                "is received until it is free and this is started again (XT_DICOM_PORT)"
            )
            stop.wait()
            return
        self.stdout.write(f"DICOM receiver {ae_title} on {host}:{receiver.port}")
        # What Django and the receiver loaded is kept for the process's life: out of the
        # garbage collector's full collections, which would otherwise pause an association
        # for a tenth of a second now and then (docs/adr/0029-cstore-throughput.md).
        gc.freeze()
        try:
            stop.wait()
        finally:
            receiver.stop()
