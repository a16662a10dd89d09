"""The real application served by uvicorn from a thread, for clients that speak HTTP
themselves (fhirpy): no browser. The server's connections see what a test committed, so the
tests that use it take `transactional_db` (through `fhir_base`)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest


class LiveServer:
    """uvicorn on a socket bound first, so the port is ours before the server starts."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
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


@pytest.fixture(scope="session")
def live_server_asgi(django_db_setup: None, django_db_blocker: Any) -> Iterator[LiveServer]:
    from config import asgi

    server = LiveServer(asgi.application)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fhir_base(transactional_db: None, live_server_asgi: LiveServer) -> str:
    """The FHIR base URL of the live server."""
    return f"{live_server_asgi.url}/fhir/R4"
