"""Benchmark: the hospital gateway's accept and delivery rates, with a crash in the middle.

    ./xt bench gateway [--messages 2000] [--senders 4]

Runs `xt-gateway run` (this checkout's gateway/) as its own process against a local stand-in
for the platform that applies Bundles once per identifier. Several HIS connections send lab
results (ORU^R01, GB18030, three results each) and wait for each ACK, as a HIS does; the
gateway is killed with -9 halfway through and started again; the HIS resends what got no
ACK. Prints the ACK latency (each ACK waits for an fsync), the accept and delivery rates, and
the recount: lost (acknowledged but never applied) and duplicated (applied twice)."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, Timings, json_line, machine_print, table_print

sys.path.insert(0, str(ROOT / "gateway" / "tests"))
sys.path.insert(0, str(ROOT / "gateway"))

from gateway_fakes import SECRET, FakePlatform, mllp_send
from gateway_messages import oru_r01


def start(config: Path) -> tuple[subprocess.Popen[str], int]:
    env = {**os.environ, "XT_GATEWAY_BENCH_SECRET": SECRET, "PYTHONPATH": str(ROOT / "gateway")}
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "xt_gateway", "run", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("xt-gateway ready"):
        raise SystemExit(f"the gateway did not start: {line!r}")
    return process, int(line.rsplit(" ", 1)[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--senders", type=int, default=4)
    args = parser.parse_args()
    machine = machine_print()
    fake = FakePlatform().start()
    folder = Path(tempfile.mkdtemp(prefix="xt-gateway-bench-"))
    config = folder / "gateway.toml"
    config.write_text(
        f'[gateway]\ninstitution = "H330100001"\nstate_dir = "state"\n'
        f'[platform]\nurl = "{fake.url}"\nsecret_env = "XT_GATEWAY_BENCH_SECRET"\n'
        "timeout_s = 5\nheartbeat_s = 5\nbatch_size = 100\n"
        '[mllp]\nhost = "127.0.0.1"\nport = 0\n[outbox]\nmin_free_mb = 64\n',
        encoding="utf-8",
    )
    gateway, port_holder = start(config)
    ports = [port_holder]
    timings = Timings()
    acked: set[str] = set()
    lock = threading.Lock()
    crashed = threading.Event()

    def sender(k: int) -> None:
        for i in range(k, args.messages, args.senders):
            control = f"B{i:07d}"
            raw = oru_r01(control, mrn=f"{i % 500:07d}", potassium=f"{3.5 + (i % 20) / 10:.1f}")
            while True:  # a HIS resends until it gets an ACK
                try:
                    with timings.time("ack (fsync'd)"):
                        ack = mllp_send(ports[0], raw, timeout=10)
                    if b"|AA|" in ack:
                        break
                except OSError:
                    pass
                time.sleep(0.05)
            with lock:
                acked.add(f"H330100001:LIS:{control}")
                if len(acked) == args.messages // 2 and not crashed.is_set():
                    crashed.set()

    started = time.perf_counter()
    threads = [threading.Thread(target=sender, args=(k,)) for k in range(args.senders)]
    for t in threads:
        t.start()
    crashed.wait()
    gateway.send_signal(signal.SIGKILL)  # mid-stream: ACKs sent, pushes under way
    gateway.wait()
    gateway, new_port = start(config)
    ports[0] = new_port
    for t in threads:
        t.join()
    accept_s = time.perf_counter() - started
    while len(fake.applied) < len(acked) and time.perf_counter() - started < 600:
        time.sleep(0.05)
    delivered_s = time.perf_counter() - started
    gateway.terminate()
    gateway.wait(30)
    fake.stop()
    lost = len(acked - set(fake.answers))
    table_print(timings, f"gateway: {args.messages} ORU^R01 from {args.senders} connections")
    result = {
        "messages_count": args.messages,
        "accepted_per_s": round(args.messages / accept_s, 1),
        "delivered_per_s": round(len(fake.applied) / delivered_s, 1),
        "ack_p50_ms": timings.p("ack", 50),
        "ack_p95_ms": timings.p("ack", 95),
        "gateway_killed_count": 1,
        "lost_count": lost,
        "duplicated_count": fake.duplicated_count(),
        "resent_bundles_count": len(fake.receipts) - len(fake.applied),
        **machine,
    }
    print(
        f"accepted {result['accepted_per_s']}/s, delivered {result['delivered_per_s']}/s, "
        f"lost {lost}, duplicated {result['duplicated_count']}"
    )
    json_line(result)


if __name__ == "__main__":
    main()
