"""The platform's pushes to this hospital: an HTTP(S) endpoint, then a drop folder.

`POST <path>` with a FHIR Bundle, its idempotency key in `Idempotency-Key` (also the
Bundle's identifier), and a signature: HMAC-SHA256 over `<timestamp>.<key>.<body>` keyed with
the SHA-256 (hex) of this gateway's secret, which the platform keeps to know the gateway.
Answers: 200 once stored on disk (a resend: 200 alike, stored once), 401 for a missing, wrong
or stale signature, 400 for a body that is not such a Bundle, 413 over the size limit, 507
when the disk is too full to keep it (the platform retries later).

The HIS gets each message as one JSON file in the drop folder (the Bundle as received),
written under a temporary name, fsynced and renamed, so it never sees half a file."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .httpserve import JsonHandler, http_serve
from .inbox import Inbox, InboxFull

log = logging.getLogger("xt_gateway.inbound")

MESSAGE_SYSTEM = "urn:xietong:platform-message"


def push_key(secret: str) -> str:
    """The shared key: the platform stores exactly this of the secret (ADR 25, 27)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def signature(*, key: str, timestamp: str, message_id: str, body: bytes) -> str:
    mac = hmac.new(key.encode(), f"{timestamp}.{message_id}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def _kind(bundle: dict[str, Any]) -> str:
    for tag in (bundle.get("meta") or {}).get("tag") or []:
        if isinstance(tag, dict) and tag.get("system") == "urn:xietong:push-kind":
            return str(tag.get("code") or "")
    return ""


class PushReceiver:
    """Checks and stores one push; the HTTP handler only moves bytes."""

    def __init__(self, inbox: Inbox, *, secret: str, max_skew_s: float = 300) -> None:
        self.inbox = inbox
        self.key = push_key(secret)
        self.max_skew_s = max_skew_s
        self.wake = threading.Event()  # tells the handover a message arrived

    def receive(self, headers: Any, body: bytes) -> tuple[int, dict[str, Any]]:
        message_id = (headers.get("Idempotency-Key") or "").strip()
        stamp = (headers.get("X-Xietong-Timestamp") or "").strip()
        given = (headers.get("X-Xietong-Signature") or "").strip()
        if not message_id or not stamp.isdigit() or not given:
            return 401, _error("缺少签名 / signature missing")
        if abs(time.time() - int(stamp)) > self.max_skew_s:
            return 401, _error("签名已过期 / signature too old (check both clocks)")
        expected = signature(key=self.key, timestamp=stamp, message_id=message_id, body=body)
        if not hmac.compare_digest(expected, given):
            return 401, _error("签名不符 / signature does not match this gateway's secret")
        try:
            bundle = json.loads(body)
        except ValueError:
            return 400, _error("不是 JSON / not JSON")
        if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
            return 400, _error("不是 FHIR Bundle / not a FHIR Bundle")
        identifier = bundle.get("identifier") or {}
        if identifier.get("system") != MESSAGE_SYSTEM or identifier.get("value") != message_id:
            return 400, _error("Bundle.identifier 与 Idempotency-Key 不符 / identifier mismatch")
        try:
            new = self.inbox.put(message_id=message_id, kind=_kind(bundle), body=body)
        except InboxFull as exc:
            log.error("push %s refused: %s", message_id, exc)
            return 507, _error(f"磁盘空间不足 / disk full: {exc}")
        if new:
            self.wake.set()
        log.info("push %s %s", message_id, "stored" if new else "already stored")
        # A resend is answered as the first was: the platform learns only that it is kept.
        return 200, {"message_id": message_id, "stored": True}


def _error(text: str) -> dict[str, Any]:
    return {"error": text}


def make_server(
    receiver: PushReceiver,
    *,
    host: str,
    port: int,
    path: str = "/push",
    cert_file: str | None = None,
    key_file: str | None = None,
) -> ThreadingHTTPServer:
    class Handler(JsonHandler):
        def refusal(self, status: int, text: str, code: str) -> Any:
            return _error(text)

        def do_POST(self) -> None:
            if self.path.split("?", 1)[0] != path:
                self.answer(404, _error("not found"))
                return
            body = self.body_read()
            if body is None:
                return
            status, payload = receiver.receive(self.headers, body)
            self.answer(status, payload)

    return http_serve(Handler, host=host, port=port, cert_file=cert_file, key_file=key_file)


def write_atomically(folder: Path, name: str, data: bytes) -> None:
    """The file appears whole or not at all: a temporary name, fsync, rename, fsync of the
    folder (so the rename itself survives a power cut)."""
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{name}.part"
    with open(temporary, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, folder / name)
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_name(seq: int, kind: str, message_id: str) -> str:
    # The same message always gets the same name: a handover repeated after a crash
    # replaces the file with itself rather than adding a second one.
    digest = hashlib.sha256(message_id.encode()).hexdigest()[:16]
    return f"{seq:08d}-{kind or 'message'}-{digest}.json"


def hand_over(inbox: Inbox, folder: Path) -> int:
    """Writes every message not yet handed over; how many."""
    count = 0
    for item in inbox.to_hand_over():
        name = file_name(item.seq, item.kind, item.message_id)
        write_atomically(folder, name, item.body)
        inbox.mark_handed(item.seq, file_name=name)
        count += 1
    return count


def handover_loop(inbox: Inbox, folder: Path, wake: threading.Event, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            hand_over(inbox, folder)
        except OSError:
            log.exception("drop folder %s: handover failed, retrying", folder)
            stop.wait(5)
        wake.wait(1.0)
        wake.clear()
