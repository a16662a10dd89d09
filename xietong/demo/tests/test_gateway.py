"""The demo's gateway process: started once it listens, stopped by one TERM, and a port
already taken said in the gateway's own words."""

from __future__ import annotations

import datetime as dt
import socket
import time
from pathlib import Path

from xietong.demo.gateway import demo_gateway_config, demo_gateway_start, demo_gateway_stop
from xietong.demo.his import HisPatient, SimulatedHis


def _config(folder: Path, mllp_port: int) -> Path:
    (folder / "secret").write_text("xg_not-registered\n", encoding="utf-8")
    # No platform at this address: the gateway still takes messages, and keeps them.
    return demo_gateway_config(folder=folder, institution_code="H0001",
                               platform_url="http://127.0.0.1:9", mllp_port=mllp_port)  # fmt: skip


def test_the_gateway_takes_the_his_messages_and_stops_on_one_term(tmp_path: Path) -> None:
    started = demo_gateway_start(config=_config(tmp_path, 0), log=tmp_path / "gateway.log")
    assert started.port is not None
    his = SimulatedHis(
        [HisPatient(mrn="ZY0000001", resident_id="", name="欧阳明", sex="M",
                    birth_date=dt.date(1961, 5, 4))],
        host="127.0.0.1", port=started.port,
    )  # fmt: skip
    assert [his.send_one(), his.send_one()] == ["AA", "AA"]
    began = time.monotonic()
    assert demo_gateway_stop(started.process) == 0
    assert time.monotonic() - began < 8
    assert (tmp_path / "state" / "outbox.sqlite3").exists()


def test_a_taken_port_is_said_and_nothing_is_left_running(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        started = demo_gateway_start(config=_config(tmp_path, port), log=tmp_path / "gateway.log")
    assert started.port is None
    assert "address already in use" in started.said
    assert started.process.poll() is not None
