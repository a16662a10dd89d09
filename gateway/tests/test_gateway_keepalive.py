"""A kept-alive connection the platform closed while it idled costs no failed push."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from xt_gateway.platform import Platform, Unreachable

OK = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}'


@pytest.fixture
def closes_after_each_answer() -> Iterator[tuple[int, list[int]]]:
    """A platform that answers each request and then closes the connection without saying
    so (no "Connection: close"), as a server does when its keep-alive timeout passes."""
    server = socket.create_server(("127.0.0.1", 0))
    served: list[int] = []

    def serve() -> None:
        while True:
            try:
                conn, _addr = server.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                if data:
                    head, _sep, body = data.partition(b"\r\n\r\n")
                    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                    while len(body) < length:
                        body += conn.recv(65536)
                    served.append(len(body))
                    conn.sendall(OK)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], served
    server.close()


def test_a_closed_kept_alive_connection_is_opened_again(
    closes_after_each_answer: tuple[int, list[int]],
) -> None:
    port, served = closes_after_each_answer
    platform = Platform(f"http://127.0.0.1:{port}", secret="xg_test", timeout=5)
    for _n in range(3):
        assert platform.heartbeat({"queue_depth": 0}).status == 200
    assert len(served) == 3  # each sent once: no request lost, none sent twice
    platform.close()


def test_a_platform_that_is_not_there_is_unreachable_at_once() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
    platform = Platform(f"http://127.0.0.1:{port}", secret="xg_test", timeout=5)
    with pytest.raises(Unreachable):
        platform.heartbeat({"queue_depth": 0})
