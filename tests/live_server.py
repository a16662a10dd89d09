"""The real ASGI application served by uvicorn from a thread of the test process, for the
tests that talk to it over HTTP (the browser tests, the FHIR client tests)."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any


class InFlight:
    """Counts the requests and sockets the application is still serving. A page closed by a
    test may leave a request running on the server (the viewer fetches in the background):
    the flush after the test waits for them, or its TRUNCATE and the request's reads lock
    each other's tables in opposite orders and PostgreSQL aborts one as a deadlock."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.count = 0
        self.lock = threading.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        with self.lock:
            self.count += 1
        try:
            await self.app(scope, receive, send)
        finally:
            with self.lock:
                self.count -= 1

    def wait_idle(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self.count and time.monotonic() < deadline:
            time.sleep(0.05)


class LiveServer:
    """uvicorn serving an ASGI app from a background thread, on a socket we bound first
    (so the port is ours before the server starts: no race for a "free" port)."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.in_flight = InFlight(app)
        app = self.in_flight

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def start(self, timeout: float = 20.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()
