"""Janus with our configuration, inside a network namespace made for the test.

Janus's media needs an address that is not loopback, and a test must not hand the host's
own network to it: so a namespace gets one end of a veth pair with a private address, and
Janus runs there. Its API still listens on the namespace's loopback only, as configured;
a small forwarder started inside the namespace serves it through a socket the test opened
on the host's loopback (a socket stays in the namespace it was created in)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import override_settings

from xietong.video.janus_config import JanusLayout, janus_config_write

ADMIN_KEY = "test-admin-key-not-for-production"
FORWARDER = Path(__file__).with_name("forwarder.py")


def janus_missing_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root to create a network namespace"
    for tool in ("janus", "ip"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian: apt-get install janus iproute2)"
    return None


def require_janus() -> None:
    """Skips (saying why) where Janus cannot run; CI (XT_REQUIRE_BROWSER=1) fails instead."""
    reason = janus_missing_reason()
    if reason is None:
        return
    if os.environ.get("XT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"video tests cannot run: {reason}")
    pytest.skip(reason)


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)  # noqa: S603, S607


@dataclass(frozen=True)
class JanusInNamespace:
    url: str
    namespace: str
    host_address: str
    janus_address: str


@contextmanager
def janus_in_namespace(tmp: Path) -> Iterator[JanusInNamespace]:
    tag = f"{os.getpid() % 100000}"
    ns, host_if, ns_if = f"xtv{tag}", f"xtvh{tag}", f"xtvn{tag}"
    octet = os.getpid() % 250 + 1
    host_addr, janus_addr = f"10.231.{octet}.1", f"10.231.{octet}.2"
    processes: list[subprocess.Popen[bytes]] = []
    _ip("netns", "add", ns)
    try:
        _ip("link", "add", host_if, "type", "veth", "peer", "name", ns_if)
        _ip("link", "set", ns_if, "netns", ns)
        _ip("addr", "add", f"{host_addr}/30", "dev", host_if)
        _ip("link", "set", host_if, "up")
        _ip("-n", ns, "addr", "add", f"{janus_addr}/30", "dev", ns_if)
        _ip("-n", ns, "link", "set", ns_if, "up")
        _ip("-n", ns, "link", "set", "lo", "up")
        with override_settings(XT_JANUS_ADMIN_KEY=ADMIN_KEY):
            folder = janus_config_write(
                JanusLayout(tmp / "janus-conf", http_port=8088, interfaces=ns_if)
            )
        log = (tmp / "janus.log").open("wb")
        processes.append(
            subprocess.Popen(  # noqa: S603
                ["ip", "netns", "exec", ns, "janus", "--configs-folder", str(folder)],  # noqa: S607
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        port = listener.getsockname()[1]
        processes.append(
            subprocess.Popen(  # noqa: S603
                ["ip", "netns", "exec", ns, sys.executable, str(FORWARDER),  # noqa: S607
                 str(listener.fileno()), "8088"],
                pass_fds=[listener.fileno()],
                start_new_session=True,
            )
        )  # fmt: skip
        listener.close()
        url = f"http://127.0.0.1:{port}/janus"
        _wait_until_answering(url, tmp / "janus.log")
        yield JanusInNamespace(
            url=url, namespace=ns, host_address=host_addr, janus_address=janus_addr
        )
    finally:
        for process in reversed(processes):
            with _suppress():
                os.killpg(process.pid, signal.SIGTERM)
            with _suppress():
                process.wait(timeout=10)
        for leftover in (["netns", "del", ns], ["link", "del", host_if]):
            subprocess.run(["ip", *leftover], check=False, capture_output=True)  # noqa: S603, S607


def _suppress() -> contextlib.suppress:
    return contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired, PermissionError)


def _wait_until_answering(url: str, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/info", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"Janus did not start: {log.read_text(errors='replace')[-2000:]}")
