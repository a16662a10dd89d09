"""What the gateway's two HTTP doors share: the platform's pushes (inbound.py) and the
hospital's FHIR (fhirserver.py) both take one JSON body of bounded size and answer JSON,
over plain HTTP or TLS, a thread per connection."""

from __future__ import annotations

import json
import logging
import ssl
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

log = logging.getLogger("xt_gateway.http")

MAX_BODY = 10 * 2**20


class JsonHandler(BaseHTTPRequestHandler):
    server_version = "xt-gateway"
    protocol_version = "HTTP/1.1"
    content_type = "application/json; charset=utf-8"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug(format, *args)

    def answer(self, status: int, payload: Any) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def refusal(self, status: int, text: str, code: str) -> Any:
        """The door's own error body (each door answers in its own format)."""
        raise NotImplementedError

    def body_read(self) -> bytes | None:
        """The request's body, or None once a 411 or 413 has been answered: a body without a
        length cannot be kept whole, one over MAX_BODY is not read at all."""
        try:
            length = int(self.headers.get("Content-Length") or "-1")
        except ValueError:
            length = -1
        if length < 0:
            self.answer(411, self.refusal(411, "Content-Length required", "structure"))
            return None
        if length > MAX_BODY:
            self.close_connection = True
            text = f"超过 {MAX_BODY // 2**20} MB / over the limit"
            self.answer(413, self.refusal(413, text, "too-costly"))
            return None
        return self.rfile.read(length)


def http_serve(
    handler: type[BaseHTTPRequestHandler],
    *,
    host: str,
    port: int,
    cert_file: str | None = None,
    key_file: str | None = None,
) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    if cert_file:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    return server
