"""The real application served by uvicorn from a thread, for clients that speak HTTP
themselves (fhirpy): no browser. The server's connections see what a test committed, so the
tests that use it take `transactional_db` (through `fhir_base`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.live_server import LiveServer


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
def fhir_base(transactional_db: None, live_server_asgi: LiveServer) -> Iterator[str]:
    """The FHIR base URL of the live server; the database is flushed once it is idle."""
    yield f"{live_server_asgi.url}/fhir/R4"
    live_server_asgi.in_flight.wait_idle()
