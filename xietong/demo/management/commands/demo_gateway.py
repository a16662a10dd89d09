"""`manage demo_gateway`: the demo's county hospital gateway (`xt-gateway run`, its own
process and SQLite state under var/gateway/) and the simulated HIS that feeds it over MLLP.

`./xt demo` starts it beside the web server. One TERM stops the HIS, then the gateway (which
stops cleanly on TERM), then this. A gateway that cannot start (its MLLP port is taken by
another demo on this machine) is said on stderr and this waits to be stopped, so the web
server beside it goes on: the way the DICOM receiver does."""

from __future__ import annotations

import os
import signal
import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from xietong.demo.gateway import (
    demo_gateway_config,
    demo_gateway_folder,
    demo_gateway_register,
    demo_gateway_start,
    demo_gateway_stop,
)
from xietong.demo.his import SimulatedHis, his_patients


def _loopback(host: str) -> str:
    # The gateway calls the web server on this machine, however widely it listens.
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104


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
        if gateway is None:
            self.stderr.write("the demo gateway needs the demo province: none is seeded")
            stop.wait()
            return
        hospital = gateway.institution
        folder = demo_gateway_folder()
        config = demo_gateway_config(
            folder=folder,
            institution_code=hospital.code,
            platform_url=f"http://{_loopback(host)}:{port}",
            mllp_port=mllp_port,
        )
        started = demo_gateway_start(config=config, log=folder / "gateway.log")
        if started.port is None:
            self.stderr.write(
                f"the demo gateway did not start ({started.said}); the HL7 port is "
                f"XT_DEMO_MLLP_PORT ({mllp_port}), the gateway's log {folder / 'gateway.log'}; "
                "the web server goes on without it"
            )
            stop.wait()
            return
        his = SimulatedHis(his_patients(institution_id=hospital.pk), host="127.0.0.1",
                           port=started.port)  # fmt: skip
        self.stdout.write(
            f"demo gateway for {hospital.name} on MLLP port {started.port}, "
            f"a simulated HIS sending every {interval:g} s"
        )
        try:
            if his.patients:
                his.run(stop, interval=interval)
            else:
                stop.wait()
        finally:
            demo_gateway_stop(started.process)
