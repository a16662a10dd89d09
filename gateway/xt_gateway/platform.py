"""The platform's two doors, per the exchange contract: `POST /fhir/R4` and the heartbeat.

The standard library's http.client, one kept-alive connection per caller: a hospital's IT does
not have to vet an HTTP library, and a batch of Bundles reuses one TLS session.
"""

from __future__ import annotations

import http.client
import json
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


class Unreachable(Exception):
    """No answer: refused connection, timeout, reset. The platform may have applied it."""


# What a kept-alive connection the other side has closed looks like on the next request.
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


class Platform:
    def __init__(
        self, base_url: str, *, secret: str, timeout: float = 30, ca_file: str | None = None
    ):
        parts = urlsplit(base_url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"platform url must be http(s)://host[:port][/path], not {base_url!r}")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path
        self._secret = secret
        self._timeout = timeout
        self._context = ssl.create_default_context(cafile=ca_file) if self._https else None
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self._https:
                self._conn = http.client.HTTPSConnection(
                    self._host, self._port, timeout=self._timeout, context=self._context
                )
            else:
                self._conn = http.client.HTTPConnection(
                    self._host, self._port, timeout=self._timeout
                )
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def post(self, path: str, body: bytes, content_type: str) -> Answer:
        headers = {
            "Authorization": f"Bearer {self._secret}",
            "Content-Type": content_type,
            "Accept": "application/fhir+json, application/json",
        }
        reused = self._conn is not None
        try:
            return self._exchange(path, body, headers)
        except _STALE as exc:
            self.close()
            if not reused:
                raise Unreachable(f"{type(exc).__name__}: {exc}") from exc
        except (OSError, http.client.HTTPException) as exc:
            self.close()  # a half-read connection is never reused
            raise Unreachable(f"{type(exc).__name__}: {exc}") from exc
        # The platform (or a proxy) closed the kept-alive connection while it idled, and the
        # request met the closed socket: once more on a new connection. Safe to resend: the
        # platform applies a Bundle once per identifier, and a heartbeat is a statement.
        try:
            return self._exchange(path, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise Unreachable(f"{type(exc).__name__}: {exc}") from exc

    def _exchange(self, path: str, body: bytes, headers: dict[str, str]) -> Answer:
        conn = self._connection()
        conn.request("POST", self._prefix + path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return Answer(response.status, data)

    def push(self, bundle_json: str) -> Answer:
        return self.post("/fhir/R4", bundle_json.encode("utf-8"), "application/fhir+json")

    def heartbeat(self, payload: dict[str, Any]) -> Answer:
        return self.post(
            "/api/v1/exchange/heartbeat", json.dumps(payload).encode("utf-8"), "application/json"
        )
