"""Benchmark: the same requests served over ASGI (uvicorn) and over WSGI (gunicorn threads).

    ./xt bench serving [--seconds 15] [--clients 8] [--workers 2] [--threads 4]
    (XT_BENCH_DATABASE_URL, default a local xietong_bench_serving)

The JSON API and the pages are plain request/response work; only WebSockets need ASGI. Under
ASGI every synchronous Django request crosses from the event loop to a thread and back, which
WSGI does not. This starts each server in turn on the same PostgreSQL database (a pool of
connections per process, as the server runs), drives a plain JSON call (`GET /api/v1/auth/me`
with a bearer token) and a page (`GET /`, signed in by a session) from `--clients` keep-alive
connections for `--seconds` each, and prints requests per second, p50/p95 and the server
processes' CPU milliseconds per request (from /proc: the client's own CPU is not in it).
docs/adr/0016-request-cost.md records what was decided from it."""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    ROOT,
    cpu_seconds,
    database_fresh,
    django_setup,
    free_port,
    json_line,
    machine_print,
    percentile,
    server_answers,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/xietong_bench_serving"


def people() -> dict[str, str]:
    """A requester with a bearer token and a signed-in session."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from xietong.accounts.tests.factories import make_user
    from xietong.accounts.tokens import api_token_issue

    user = make_user("requester")
    _token, key = api_token_issue(membership=user.memberships.get())
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {"token": key, "session": str(session.session_key)}


def server_commands(kind: str, port: int, workers: int, threads: int) -> list[str]:
    python = sys.executable
    bind = ["--host", "127.0.0.1", "--port", str(port)]
    if kind == "asgi":
        return [python, "-m", "uvicorn", "config.asgi:application", *bind,
                "--workers", str(workers), "--no-access-log", "--log-level", "warning",
                "--timeout-keep-alive", "75"]  # fmt: skip
    # As `./xt serve` runs it with Redis (config/gunicorn.conf.py), sized like the other.
    return [python, "-m", "gunicorn", "config.wsgi:application", "-c", "config/gunicorn.conf.py",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            "--threads", str(threads)]  # fmt: skip


def server_start(command: list[str], url: str, port: int, var_dir: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.embedded",
        "XT_DATABASE_URL": url,
        "XT_DB_POOL": "1",
        "XT_VAR_DIR": var_dir,
        "XT_LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore",
    }
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 (our own command)
    if server_answers(port):
        return process
    process.terminate()
    sys.exit(f"{command[2]} did not answer /api/v1/health within 60 s")


def drive(
    port: int, path: str, headers: dict[str, str], clients: int, seconds: float
) -> list[float]:
    """Each client sends requests back to back until the time is up; returns latencies (ms)."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"GET {path}: {response.status}")
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="server processes of each kind")
    parser.add_argument("--threads", type=int, default=4, help="threads per WSGI process")
    args = parser.parse_args()
    os.environ.setdefault("XT_BENCH_DATABASE_URL", DEFAULT_URL)
    # The session made here must verify in the servers: one key for all of them.
    os.environ.setdefault("XT_SECRET_KEY", "bench-serving-" + "k" * 40)
    database_fresh(os.environ["XT_BENCH_DATABASE_URL"])
    url = django_setup()
    who = people()
    from django.db import connections

    connections.close_all()
    calls = {
        "json": ("/api/v1/auth/me", {"Authorization": f"Bearer {who['token']}"}),
        "page": ("/", {"Cookie": f"sessionid={who['session']}", "Accept-Language": "zh-hans"}),
    }
    machine = machine_print()
    payload: dict[str, Any] = {"bench": "serving", **machine}
    header = (
        f"{'server':<6}{'call':<6}{'requests/s':>12}{'p50 ms':>9}{'p95 ms':>9}{'cpu ms/req':>12}"
    )
    print(header)
    print("-" * len(header))
    for kind in ("asgi", "wsgi"):
        with tempfile.TemporaryDirectory(prefix="xt-bench-") as var_dir:
            port = free_port()
            command = server_commands(kind, port, args.workers, args.threads)
            server = server_start(command, url, port, var_dir)
            try:
                for call, (path, headers) in calls.items():
                    drive(port, path, headers, args.clients, 2)  # warm: pools, caches
                    cpu = cpu_seconds([server.pid])
                    latencies = drive(port, path, headers, args.clients, args.seconds)
                    cpu_ms = (cpu_seconds([server.pid]) - cpu) * 1000 / len(latencies)
                    per_s = len(latencies) / args.seconds
                    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
                    print(f"{kind:<6}{call:<6}{per_s:>12.1f}{p50:>9.2f}{p95:>9.2f}{cpu_ms:>12.2f}")
                    payload[f"{kind}_{call}_requests_per_s"] = round(per_s, 1)
                    payload[f"{kind}_{call}_p95_ms"] = round(p95, 2)
                    payload[f"{kind}_{call}_cpu_ms_per_request"] = round(cpu_ms, 2)
            finally:
                server.terminate()
                server.wait(30)
    machine_print()  # and after: a load that rose meanwhile came from elsewhere too
    json_line(payload)


if __name__ == "__main__":
    main()
