"""`manage demo_gateway`: the demo's county hospital gateway (`xt-gateway run`, its own
process and SQLite state under var/gateway/) and the simulated HIS that feeds it over MLLP.

`./xt demo` starts it beside the web server. One TERM stops the HIS, then the gateway (which
stops cleanly on TERM), then this. A gateway that cannot start (its MLLP port is taken by
another demo on this machine) is said on stderr and this waits to be stopped, so the web
server beside it goes on: the way the DICOM receiver does."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import threading
from argparse import ArgumentParser
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand

from xietong.demo.gateway import (
    demo_gateway_config,
    demo_gateway_folder,
    demo_gateway_register,
)
from xietong.demo.his import SimulatedHis, his_patients


def _loopback(host: str) -> str:
    # The gateway calls the web server on this machine, however widely it listens.
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104


def _ready_port(stdout: IO[str], timeout: float) -> int | None:
    """The port from the gateway's "xt-gateway ready on port N", or None if it ended or
    said nothing in time."""
    readable, _w, _x = select.select([stdout], [], [], timeout)
    line = stdout.readline() if readable else ""
    if line.startswith("xt-gateway ready on port"):
        return int(line.rsplit(" ", 1)[1])
    return None


def _last_line(log: Path) -> str:
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return "no log"
    return lines[-1] if lines else "no log"


class Command(BaseCommand):
    help = "Run the demo's hospital gateway and a simulated HIS feeding it HL7 v2 (./xt demo)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="the web server's address")
        parser.add_argument("--port", type=int, default=8000, help="the web server's port")
        parser.add_argument(
            "--mllp-port", type=int, default=int(os.environ.get("XT_DEMO_MLLP_PORT", 2575))
        )
        parser.add_argument(
            "--interval", type=float, default=float(os.environ.get("XT_DEMO_HIS_INTERVAL", 5)),
            help="seconds between two HIS messages",
        )  # fmt: skip

    def handle(self, *args: Any, host: str, port: int, mllp_port: int, interval: float,
               **options: Any) -> None:  # fmt: skip
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        gateway = demo_gateway_register()
        hospital = gateway.institution if gateway else None
        if gateway is None or hospital is None:
            self.stderr.write("the demo gateway needs the demo province: none is seeded")
            stop.wait()
            return
        folder = demo_gateway_folder()
        config = demo_gateway_config(
            folder=folder,
            institution_code=hospital.code,
            platform_url=f"http://{_loopback(host)}:{port}",
            mllp_port=mllp_port,
        )
        process = self._start(config, folder / "gateway.log")
        assert process.stdout is not None
        listening = _ready_port(process.stdout, timeout=30)
        if listening is None:
            with contextlib.suppress(OSError):
                process.terminate()
            process.wait()
            said = _last_line(folder / "gateway.log")
            self.stderr.write(
                f"the demo gateway did not start ({said}); the HL7 port is XT_DEMO_MLLP_PORT "
                f"({mllp_port}), the gateway's log {folder / 'gateway.log'}; the web server "
                "goes on without it"
            )
            stop.wait()
            return
        his = SimulatedHis(his_patients(institution_id=hospital.pk), host="127.0.0.1",
                           port=listening)  # fmt: skip
        self.stdout.write(
            f"demo gateway for {hospital.name} on MLLP port {listening}, "
            f"a simulated HIS sending every {interval:g} s"
        )
        try:
            if his.patients:
                his.run(stop, interval=interval)
            else:
                stop.wait()
        finally:
            process.terminate()
            try:
                process.wait(timeout=8)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _start(self, config: Path, log: Path) -> subprocess.Popen[str]:
        with log.open("ab") as errors:
            return subprocess.Popen(  # noqa: S603 - our own gateway, our own configuration
                [sys.executable, "-m", "xt_gateway", "run", "--config", str(config)],
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
            )
