"""The first run, as a newcomer makes it: `./xt demo` in a fresh clone serves a province in
which the referral desk has referrals waiting, and one signal to `./xt` stops every process
it started."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from xietong.demo.logins import DEMO_PASSWORD

pytestmark = [pytest.mark.browser]
ROOT = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _descendants(pid: int) -> set[int]:
    """Every process below `pid`, read from /proc (children of children included)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has stopped


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)  # noqa: S603, S607
    port = _free_port()
    env = {
        **os.environ,
        # The virtual environment this suite runs in: installing it again would only repeat
        # what ./xt test already did. Everything else (npm packages, database, demo data,
        # static files) the clone makes for itself.
        "XT_VENV": str(Path(sys.executable).parent.parent),
        "XT_VAR_DIR": str(tmp_path / "var"),
    }
    for name in ("DJANGO_SETTINGS_MODULE", "XT_TEST_DATABASE_URL", "XT_DATABASE_URL"):
        env.pop(name, None)
    log = (tmp_path / "demo.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own script, in our own clone
        ["./xt", "demo", "--port", str(port)],
        cwd=clone,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # so that the test can clean up whatever is left
    )
    url = f"http://127.0.0.1:{port}"
    try:
        yield process, url, tmp_path / "demo.log"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        log.close()


def _wait_until_serving(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"./xt demo ended early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/accounts/login/", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(1)
    pytest.fail(f"./xt demo did not serve within 10 minutes:\n{log.read_text()[-3000:]}")


def test_demo_from_a_fresh_clone_gives_the_desk_work_and_stops_on_one_signal(
    demo: tuple[subprocess.Popen[bytes], str, Path], browser: Any
) -> None:
    process, url, log = demo
    _wait_until_serving(process, url, log)

    context = browser.new_context(base_url=url, locale="zh-CN")
    page = context.new_page()
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill("referral_desk")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("input[name=password]")).to_have_count(0)
    page.goto("/referrals/incoming/?status=requested")
    rows = page.locator("main table tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 3, "the demo's county doctors refer to this desk's hospital"
    context.close()

    started = _descendants(process.pid)
    assert len(started) >= 3, "the web server, the task worker and the clock"
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid) for pid in started):
        time.sleep(0.2)
    left = sorted(pid for pid in started if _alive(pid))
    assert not left, f"still running after one TERM to ./xt: {left}"
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{url}/accounts/login/", timeout=2)  # noqa: S310
