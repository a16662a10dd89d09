"""The gateway as a hospital runs it: `xt-gateway run` in its own process, killed with -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from gateway_fakes import SECRET, FakePlatform, ack_fields, mllp_send
from gateway_messages import oru_r01
from xt_gateway.cli import main
from xt_gateway.outbox import Outbox


@pytest.fixture
def fake() -> Iterator[FakePlatform]:
    platform = FakePlatform().start()
    yield platform
    platform.stop()


def write_config(
    folder: Path,
    fake: FakePlatform,
    heartbeat_s: float = 0.2,
    extra: str = "",
    min_free_mb: int = 1,
) -> Path:
    config = folder / "gateway.toml"
    config.write_text(
        f"""
[gateway]
institution = "H330100001"
state_dir = "state"

[platform]
url = "{fake.url}"
secret_env = "XT_GATEWAY_TEST_SECRET"
timeout_s = 0.5
heartbeat_s = {heartbeat_s}
backoff_base_s = 0.05
backoff_cap_s = 0.3

[mllp]
host = "127.0.0.1"
port = 0
encoding = "gb18030"

[outbox]
min_free_mb = {min_free_mb}
{extra}
""",
        encoding="utf-8",
    )
    return config


class Gateway:
    def __init__(self, config: Path) -> None:
        # The gateway process runs this checkout's package, as the tests themselves do.
        here = str(Path(__file__).resolve().parents[1])
        path = os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH", "")) if p)
        env = {**os.environ, "XT_GATEWAY_TEST_SECRET": SECRET, "PYTHONPATH": path}
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "xt_gateway", "run", "--config", str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        assert self.process.stdout is not None
        self.ports: dict[str, int] = {}  # "fhir", "inbound": the other ports it listens on
        line = self.process.stdout.readline()
        while line.startswith("xt-gateway ") and " on port " in line and "ready" not in line:
            self.ports[line.split()[1]] = int(line.rsplit(" ", 1)[1])
            line = self.process.stdout.readline()
        assert line.startswith("xt-gateway ready on port"), line
        self.port = int(line.rsplit(" ", 1)[1])

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> int:
        self.process.terminate()
        return self.process.wait(20)


def wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_killed_after_acks_then_restarted_everything_arrives(
    tmp_path: Path, fake: FakePlatform
) -> None:
    config = write_config(tmp_path, fake)
    fake.mode = "error"  # nothing can be delivered before the crash
    gateway = Gateway(config)
    ids = [f"K{i:03d}" for i in range(30)]
    try:
        for i, control in enumerate(ids):
            ack = mllp_send(gateway.port, oru_r01(control, mrn=f"00{i % 4}2000"))
            assert ack_fields(ack)["MSA"][1:3] == ["AA", control]
    finally:
        gateway.kill()
    assert fake.applied == []
    fake.mode = "ok"
    gateway = Gateway(config)
    try:
        wait_for(lambda: len(fake.applied) == len(ids))
    finally:
        assert gateway.stop() == 0
    expected = {f"H330100001:LIS:{c}" for c in ids}
    assert set(fake.applied) == expected
    assert fake.duplicated_count() == 0


def test_killed_while_pushing_resends_without_duplicates(
    tmp_path: Path, fake: FakePlatform
) -> None:
    config = write_config(tmp_path, fake)
    fake.delay_s = 0.03
    gateway = Gateway(config)
    ids = [f"P{i:03d}" for i in range(40)]
    try:
        for i, control in enumerate(ids):
            assert (
                ack_fields(mllp_send(gateway.port, oru_r01(control, mrn=f"00{i % 3}3000")))["MSA"][
                    1
                ]
                == "AA"
            )
        wait_for(lambda: len(fake.applied) >= 5)
    finally:
        gateway.kill()  # mid-batch: some Bundles applied, their answers maybe never read
    assert len(fake.applied) < len(ids)
    gateway = Gateway(config)
    try:
        wait_for(lambda: len(fake.applied) == len(ids))
    finally:
        gateway.stop()
    assert fake.duplicated_count() == 0
    for mrn in ("0003000", "0013000", "0023000"):
        mine = [i for i in fake.applied if fake.patient_of[i] == mrn]
        assert mine == sorted(mine)  # each patient's results in the order the HIS sent them


def test_status_and_heartbeat_report_the_queue(
    tmp_path: Path, fake: FakePlatform, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, fake)
    fake.mode = "error"
    gateway = Gateway(config)
    try:
        for control in ("S1", "S2", "S3"):
            mllp_send(gateway.port, oru_r01(control))
        wait_for(
            lambda: any(h["queue_depth"] == 3 and h["errors_last_hour"] for h in fake.heartbeats)
        )
    finally:
        gateway.stop()
    beat = fake.heartbeats[-1]
    assert set(beat) == {
        "queue_depth",
        "oldest_waiting_s",
        "last_success_at",
        "errors_last_hour",
        "version",
    }
    assert beat["last_success_at"] is None
    assert beat["oldest_waiting_s"] >= 0
    assert main(["status", "--config", str(config), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["queue_depth"] == 3
    assert status["sent"] == 0
    assert status["errors_last_hour"] >= 1
    assert "500" in status["last_error"]
    assert main(["status", "--config", str(config)]) == 0
    assert "待发送 queue depth:       3" in capsys.readouterr().out
    box = Outbox(tmp_path / "state" / "outbox.sqlite3")
    assert box.status().queue_depth == 3
    box.close()


def test_a_config_without_a_secret_is_refused(
    tmp_path: Path, fake: FakePlatform, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, fake)
    os.environ.pop("XT_GATEWAY_TEST_SECRET", None)
    assert main(["run", "--config", str(config)]) == 2
    assert "XT_GATEWAY_TEST_SECRET is empty" in capsys.readouterr().err
