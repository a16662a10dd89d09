"""A small FHIR platform on a local port, answering per the exchange contract, that can fail.

It applies each Bundle once per `Bundle.identifier` (a resend gets the stored answer) and
keeps a ledger, so a test can count what was lost and what was applied twice: a result that
arrives under two different message ids is a duplicate the idempotency key did not catch.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SECRET = "gw-test-secret-0001"


class FakePlatform:
    def __init__(self, *, secret: str = SECRET) -> None:
        self.secret = secret
        self.mode = "ok"  # ok | error (500) | slow (applies, answers too late) | refuse (401)
        self.slow_s = 1.0
        self.delay_s = 0.0
        self.lock = threading.Lock()
        self.receipts: list[str] = []  # every Bundle identifier POSTed, resends included
        self.answers: dict[str, bytes] = {}  # identifier -> the answer of its first apply
        self.applied: list[str] = []  # identifiers in the order they were applied
        self.patient_of: dict[str, str] = {}  # identifier -> the patient's MRN
        self.result_sources: dict[str, set[str]] = defaultdict(set)  # resource id -> bundles
        self.resources: dict[str, dict[str, Any]] = {}
        self.resources_order: list[str] = []  # resource ids in the order first stored
        self.heartbeats: list[dict[str, Any]] = []
        self.reject_entries: set[str] = set()  # resource types whose entries are refused
        self.port = _free_port()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakePlatform:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: without this, Nagle's algorithm holds
            # the body until the client's delayed ACK, 40 ms per request.
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if (
                    self.headers.get("Authorization") != f"Bearer {fake.secret}"
                    or fake.mode == "refuse"
                ):
                    self._answer(401, {"detail": "网关凭据无效 / invalid gateway credential"})
                    return
                if self.path == "/api/v1/exchange/heartbeat":
                    with fake.lock:
                        fake.heartbeats.append(json.loads(body))
                    self._answer(200, {"ok": True, "server_time": "2026-12-05T00:00:00Z"})
                    return
                if self.path != "/fhir/R4":
                    self._answer(404, {"detail": "not found"})
                    return
                if fake.mode == "error":
                    self._answer(500, {"resourceType": "OperationOutcome", "issue": []})
                    return
                if fake.delay_s:
                    time.sleep(fake.delay_s)
                status, answer = fake.apply(json.loads(body))
                if fake.mode == "slow":
                    time.sleep(fake.slow_s)  # applied, but the gateway gives up waiting
                self._answer(status, answer)

            def _answer(self, status: int, payload: Any) -> None:
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/fhir+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(data)

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """The platform dies: the port refuses connections until start() again."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def apply(self, bundle: dict[str, Any]) -> tuple[int, bytes]:
        if bundle.get("resourceType") != "Bundle" or bundle.get("type") not in (
            "batch",
            "transaction",
        ):
            return 400, b'{"resourceType":"OperationOutcome"}'
        key = bundle["identifier"]["value"]
        with self.lock:
            self.receipts.append(key)
            if key in self.answers:
                return 200, self.answers[key]
            entries = []
            for entry in bundle["entry"]:
                resource = entry["resource"]
                kind = resource["resourceType"]
                if kind in self.reject_entries:
                    entries.append(
                        {
                            "response": {
                                "status": "400 Bad Request",
                                "outcome": {
                                    "resourceType": "OperationOutcome",
                                    "issue": [
                                        {
                                            "severity": "error",
                                            "code": "invalid",
                                            "diagnostics": "值不在值集中 / value not in value set",
                                        }
                                    ],
                                },
                            }
                        }
                    )
                    continue
                ident = resource["identifier"][0]
                rid = f"{kind}/{ident['system']}|{ident['value']}"
                if kind == "Patient":
                    self.patient_of[key] = ident["value"]
                else:
                    self.result_sources[rid].add(key)
                created = rid not in self.resources
                if created:
                    self.resources_order.append(rid)
                self.resources[rid] = resource
                entries.append({"response": {"status": "201 Created" if created else "200 OK"}})
            answer = json.dumps(
                {"resourceType": "Bundle", "type": "batch-response", "entry": entries}
            ).encode()
            self.answers[key] = answer
            self.applied.append(key)
            return 200, answer

    def duplicated_count(self) -> int:
        with self.lock:
            again = len(self.applied) - len(set(self.applied))
            return again + sum(1 for s in self.result_sources.values() if len(s) > 1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def mllp_send(port: int, raw: bytes, *, timeout: float = 10) -> bytes:
    """Send one framed message and read its framed ACK, as a HIS interface engine does."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(b"\x0b" + raw + b"\x1c\x0d")
        data = b""
        while not data.endswith(b"\x1c\x0d"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return data.strip(b"\x0b\x1c\x0d")


def ack_fields(ack: bytes, encoding: str = "gb18030") -> dict[str, list[str]]:
    segments = ack.decode(encoding).split("\r")
    return {seg.split("|")[0]: seg.split("|") for seg in segments if seg}
