"""What every benchmark shares: a PostgreSQL database of its own, Django set up on it,
timing with percentiles, a readable table, and one JSON line printed last."""

from __future__ import annotations

import http.client
import json
import math
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/xietong_bench"


def database_ensure(url: str) -> None:
    """Creates the benchmark's PostgreSQL database when it does not exist yet."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}", file=sys.stderr)


def database_fresh(url: str) -> None:
    """Drops and creates the benchmark's database, so every run starts from the same place."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def django_setup() -> str:
    """Points Django at XT_BENCH_DATABASE_URL (created if missing) and migrates it."""
    url = os.environ.get("XT_BENCH_DATABASE_URL", DEFAULT_URL)
    database_ensure(url)
    os.environ["XT_DATABASE_URL"] = url
    # One connection per thread here, made and closed by the benchmark itself (a pool does
    # not survive the forks some benchmarks make).
    os.environ["XT_DB_POOL"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.embedded"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return url


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Timings:
    """Milliseconds per named kind of operation."""

    samples: dict[str, list[float]] = field(default_factory=dict)

    @contextmanager
    def time(self, kind: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.samples.setdefault(kind, []).append((time.perf_counter() - started) * 1000)

    def run(self, kind: str, func: Callable[[], Any]) -> Any:
        with self.time(kind):
            return func()

    def all_of(self, prefix: str) -> list[float]:
        return [v for kind, values in self.samples.items() if kind.startswith(prefix)
                for v in values]  # fmt: skip

    def p(self, kind_prefix: str, pct: float) -> float:
        return round(percentile(self.all_of(kind_prefix), pct), 2)


def table_print(timings: Timings, title: str) -> None:
    print(title)
    header = f"{'operation':<34}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}"
    print(header)
    print("-" * len(header))
    for kind in sorted(timings.samples):
        values = timings.samples[kind]
        print(
            f"{kind:<34}{len(values):>6}{percentile(values, 50):>10.2f}"
            f"{percentile(values, 95):>10.2f}{max(values):>10.2f}"
        )


def free_port(role: str = "") -> int:
    """A TCP port on the loopback that nothing listens on now: any, or when the environment
    gives the role a range (XT_BENCH_PORTS_WEB=8220-8224, ..._DICOM, ..._ORTHANC_HTTP,
    ..._ORTHANC_DICOM), the first free one in it, so that runs on a shared machine keep to
    the ports they were given."""
    given = os.environ.get(f"XT_BENCH_PORTS_{role.upper()}", "") if role else ""
    if not given:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])
    first, _dash, last = given.partition("-")
    for port in range(int(first), int(last or first) + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port in XT_BENCH_PORTS_{role.upper()}={given}")


def machine_print() -> dict[str, Any]:
    """Prints the machine's cores and load before a run, so a reader of the numbers can tell a
    busy machine from a slow program; returns the same figures for the JSON line."""
    load_1, load_5, load_15 = os.getloadavg()
    cores = os.cpu_count() or 1
    print(
        f"machine: {cores} cores, load average {load_1:.2f} {load_5:.2f} {load_15:.2f} "
        f"(1, 5, 15 min)",
        flush=True,
    )
    return {"cores_count": cores, "load_1m": round(load_1, 2), "load_5m": round(load_5, 2)}


def _process_tree(root: int) -> list[int]:
    """`root` and every process below it (a server's workers are its children)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        # The name in parentheses may hold spaces: the fields after it are split safely.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_seconds(roots: Sequence[int]) -> float:
    """User plus system CPU seconds spent so far by the processes `roots` and their children
    (read from /proc; children that ended are not counted, so read it while they run)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for root in roots:
        for pid in _process_tree(root):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def database_cpu_seconds(url: str) -> float:
    """CPU seconds spent so far by the PostgreSQL backends serving the database in `url`
    (found by the process title PostgreSQL gives each backend, which names its database).
    A backend that ends between two readings takes its time with it: read while the
    server's pool holds its connections."""
    name = urlsplit(url).path.lstrip("/")
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if not title.startswith("postgres:") or f" {name} " not in title:
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def json_line(payload: dict[str, Any]) -> None:
    """The last line a benchmark prints: machine-readable, units in every figure's name."""
    print(json.dumps(payload, ensure_ascii=False), flush=True)


def server_answers(port: int, *, seconds: float = 60) -> bool:
    """Waits until the server on this port answers /api/v1/health; False if it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                return True
        except OSError:
            time.sleep(0.3)
    return False
