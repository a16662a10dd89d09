"""Benchmark: the whole consultation flow through the HTTP API of a running server.

    ./xt bench consultations [--users 50] [--rounds 4] [--think-ms 1000] [--ramp-s 10]
                             [--server-workers N] [--server wsgi|asgi]
    (XT_BENCH_DATABASE_URL, default a local xietong_bench_consultations, made afresh)

Builds a province slice on PostgreSQL (ten county hospitals served by one telemedicine centre,
fifty requesting doctors, QC reviewers, coordinators, ten experts, consenting patients), starts
the real server as `./xt serve` runs it (gunicorn, WSGI threads, a pool of database
connections per process; `--server asgi` for uvicorn instead) and the task worker, then
lets N simulated users each drive `rounds` consultations from request to rating, every step an
HTTP call with the acting person's bearer token: create, submit, QC pass, triage, accept,
start, open the workspace, save the opinion, sign it (the password checked again, argon2),
acknowledge with a rating. Between two steps a user pauses for a random think time around
--think-ms (people read and type; 0 makes every user hammer the server back to back). Users
join one after another over --ramp-s seconds, as a morning's doctors arrive; --ramp-s 0 starts
them all in the same second on a server that has just started (a stampede no ward makes). The
server runs as in production: several processes, each with a pool of database connections,
sharing a Redis channel layer. Prints the machine's load before the run and the CPU the
server's processes and PostgreSQL's backends spent (read from /proc) per request and per
consultation.
Prints p50/p95 per step, completed consultations per second, and one JSON line. Goal on this
2-core machine: p95 under 150 ms for every step."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    ROOT,
    Timings,
    cpu_seconds,
    database_cpu_seconds,
    database_fresh,
    free_port,
    json_line,
    machine_print,
    percentile,
    server_answers,
    table_print,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/xietong_bench_consultations"
GOAL_P95_MS = 150
PASSWORD = "Bench-Secret-2026"
STEPS = (
    "create", "submit", "qc_pass", "triage", "accept", "start", "workspace", "opinion_save",
    "sign", "acknowledge",
)  # fmt: skip


def setup(url: str, users: int) -> dict[str, Any]:
    """The province slice, with one bearer token per person. Returns what the clients need."""
    os.environ["XT_DATABASE_URL"] = url
    # One connection per thread here, made and closed by the benchmark itself (a pool does
    # not survive the forks some benchmarks make).
    os.environ["XT_DB_POOL"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.embedded"
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)

    from xietong.accounts.models import Membership, User
    from xietong.accounts.tokens import api_token_issue
    from xietong.consultations.tests.world import add_consent, make_expert, member
    from xietong.directory.models import Department, Institution
    from xietong.directory.tests.factories import (
        CollaborationLinkFactory,
        DepartmentFactory,
        InstitutionFactory,
    )
    from xietong.patients.tests.factories import make_patient

    def token(actor: Any) -> str:
        membership = Membership.objects.get(pk=actor.membership_id)
        user = User.objects.get(pk=actor.user_id)
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        return api_token_issue(membership=membership)[1]

    def institution(**fields: Any) -> Institution:
        return cast(Institution, InstitutionFactory(**fields))

    centre = institution(level="provincial", kind="telemedicine_centre", name="省远程医学中心")
    hospital = institution(level="provincial", name="省人民医院")
    department = cast(Department, DepartmentFactory(code="03.04", name="心血管内科"))
    counties = [institution(level="county", name=f"第{n + 1}县人民医院") for n in range(10)]
    for county in counties:
        CollaborationLinkFactory(provider=centre, client=county, service="consultation")
    requesters = []
    for n in range(users):
        county = counties[n % len(counties)]
        actor = member(county, "requester")
        patient = make_patient(county)
        add_consent(patient, county, actor.user_id)
        requesters.append({"token": token(actor), "patient": str(patient.uuid)})
    experts = []
    for _n in range(10):
        expert, actor = make_expert(hospital, department)
        experts.append({"token": token(actor), "uuid": str(expert.practitioner.uuid)})
    return {
        "requesters": requesters,
        "experts": experts,
        "qc": [token(member(centre, "qc")) for _ in range(2)],
        "coordinators": [token(member(centre, "coordinator")) for _ in range(2)],
    }


def server_start(
    url: str, port: int, workers: int, var_dir: str, kind: str = "wsgi"
) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "XT_REDIS_URL": os.environ.get("XT_REDIS_URL", "redis://127.0.0.1:6379/3"),
        "DJANGO_SETTINGS_MODULE": "config.settings.embedded",
        "XT_DATABASE_URL": url,
        "XT_DB_POOL": "1",
        "XT_VAR_DIR": var_dir,
        "XT_LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore",  # e.g. whitenoise on the empty static folder
    }
    python = sys.executable
    if kind == "wsgi":  # as `./xt serve` runs it with Redis (docs/adr/0016)
        env["XT_WEB_WORKERS"] = str(workers)
        command = [python, "-m", "gunicorn", "config.wsgi:application",
                   "-c", "config/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]  # fmt: skip
    else:  # for comparison: every request over ASGI
        command = [python, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
                   "--port", str(port), "--workers", str(workers), "--no-access-log",
                   "--timeout-keep-alive", "75", "--log-level", "warning"]  # fmt: skip
    # The commands are this program's own, not input from anywhere.
    web = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
    worker = subprocess.Popen(  # noqa: S603
        [python, "-m", "django", "task_worker", "--interval", "1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    if server_answers(port):
        return [web, worker]
    for p in (web, worker):
        p.terminate()
    sys.exit("the server did not answer /api/v1/health within 60 s")


class Client:
    """One simulated person's keep-alive connection to the server."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method: str, path: str, token: str, body: Any = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": "zh-hans"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.conn.request(method, f"/api/v1/consultations{path}", body=data, headers=headers)
        response = self.conn.getresponse()
        payload = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {payload[:300]!r}")
        return json.loads(payload) if payload else {}


def flow(
    client: Client,
    people: dict[str, Any],
    n: int,
    timings: dict[str, list[float]],
    think: Callable[[], None],
) -> None:
    requester = people["requesters"][n % len(people["requesters"])]
    expert = people["experts"][n % len(people["experts"])]
    qc = people["qc"][n % len(people["qc"])]
    coordinator = people["coordinators"][n % len(people["coordinators"])]

    def step(name: str, method: str, path: str, token: str, body: Any = None) -> dict[str, Any]:
        think()
        started = time.perf_counter()
        answer = client.call(method, path, token, body)
        timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        return answer

    c = step("create", "POST", "", requester["token"], {
        "patient": requester["patient"], "urgency": "urgent", "reason": "胸痛反复发作3天",
        "purpose": "明确诊断", "chief_complaint": "胸痛3天", "present_illness": "活动后胸骨后疼痛",
        "diagnosis_code": "I20.0", "diagnosis_text": "不稳定型心绞痛", "wanted_department": "03.04",
        "wanted_title": "chief",
    })  # fmt: skip
    at = f"/{c['uuid']}"
    step("submit", "POST", f"{at}/submit", requester["token"])
    step("qc_pass", "POST", f"{at}/qc-pass", qc)
    step("triage", "POST", f"{at}/triage", coordinator, {"experts": [expert["uuid"]]})
    step("accept", "POST", f"{at}/accept", expert["token"])
    step("start", "POST", f"{at}/start", expert["token"])
    step("workspace", "GET", at, expert["token"])
    step("opinion_save", "PUT", f"{at}/opinion", expert["token"],
         {"diagnosis": "不稳定型心绞痛", "recommendations": "冠脉造影，双抗血小板"})  # fmt: skip
    step("sign", "POST", f"{at}/opinion/sign", expert["token"], {"password": PASSWORD})
    done = step("acknowledge", "POST", f"{at}/acknowledge", requester["token"], {"rating": 5})
    if done.get("status") != "completed":
        raise RuntimeError(f"consultation {c['uuid']} ended as {done.get('status')}")


def run(
    port: int, people: dict[str, Any], users: int, rounds: int, think_ms: int, ramp_s: float
) -> tuple[Timings, float, int]:
    timings = Timings()
    lock = threading.Lock()
    failures: list[str] = []
    barrier = threading.Barrier(users + 1)

    def user(n: int) -> None:
        client = Client(port)
        mine: dict[str, list[float]] = {}
        rng = random.Random(n)

        def think() -> None:
            if think_ms:
                time.sleep(rng.uniform(0.5, 1.5) * think_ms / 1000)

        barrier.wait(60)
        time.sleep(ramp_s * n / users)
        for r in range(rounds):
            try:
                flow(client, people, n + r * users, mine, think)
            except Exception as exc:  # counted and shown; a failed flow is not a completed one
                with lock:
                    failures.append(str(exc))
                client = Client(port)
        with lock:
            for name, values in mine.items():
                timings.samples.setdefault(name, []).extend(values)

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for t in threads:
        t.start()
    barrier.wait(60)
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    for failure in failures[:5]:
        print(f"failed: {failure}", file=sys.stderr)
    return timings, elapsed, users * rounds - len(failures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4, help="consultations per user")
    parser.add_argument("--think-ms", type=int, default=1000, help="mean pause between steps")
    parser.add_argument(
        "--ramp-s", type=float, default=10, help="seconds over which the users join (0: at once)"
    )
    # As `./xt serve` runs it: one process per core (config/gunicorn.conf.py).
    parser.add_argument("--server-workers", type=int, default=min(os.cpu_count() or 1, 8))
    parser.add_argument(
        "--server", choices=("wsgi", "asgi"), default="wsgi", help="asgi: uvicorn, to compare"
    )
    args = parser.parse_args()
    url = os.environ.get("XT_BENCH_DATABASE_URL", DEFAULT_URL)
    database_fresh(url)
    people = setup(url, args.users)
    from django.db import connections

    connections.close_all()
    port = free_port()
    machine = machine_print()
    with tempfile.TemporaryDirectory(prefix="xt-bench-") as var_dir:
        processes = server_start(url, port, args.server_workers, var_dir, args.server)
        web, worker = processes[0].pid, processes[1].pid
        try:
            web_cpu, worker_cpu = cpu_seconds([web]), cpu_seconds([worker])
            db_cpu = database_cpu_seconds(url)
            timings, seconds, completed = run(
                port, people, args.users, args.rounds, args.think_ms, args.ramp_s
            )
            web_cpu, worker_cpu = cpu_seconds([web]) - web_cpu, cpu_seconds([worker]) - worker_cpu
            db_cpu = database_cpu_seconds(url) - db_cpu
        finally:
            for p in processes:
                p.terminate()
            for p in processes:
                p.wait(30)
    table_print(
        timings,
        f"consultations benchmark: {args.users} users x {args.rounds} consultations, "
        f"think time ~{args.think_ms} ms, joining over {args.ramp_s:g} s, "
        f"{args.server_workers} {args.server} server processes, "
        "PostgreSQL",
    )
    per_s = completed / seconds if seconds else 0.0
    print(f"completed {completed} consultations in {seconds:.2f} s ({per_s:.2f} per s)")
    requests = sum(len(values) for values in timings.samples.values())
    server_ms = web_cpu * 1000 / requests if requests else 0.0
    print(
        f"server CPU: {web_cpu:.1f} s for {requests} requests ({server_ms:.1f} ms per request); "
        f"task worker {worker_cpu:.1f} s"
    )
    db_ms = db_cpu * 1000 / completed if completed else 0.0
    print(f"PostgreSQL CPU: {db_cpu:.1f} s ({db_ms:.1f} ms per consultation)")
    worst = max(STEPS, key=lambda s: percentile(timings.samples.get(s, [0.0]), 95))
    worst_p95 = percentile(timings.samples.get(worst, [0.0]), 95)
    verdict = "met" if worst_p95 < GOAL_P95_MS else "MISSED"
    print(
        f"goal: every step p95 < {GOAL_P95_MS} ms {verdict} (slowest: {worst} {worst_p95:.1f} ms)"
    )
    payload: dict[str, Any] = {"bench": "consultations"}
    for name in STEPS:
        payload[f"{name}_p95_ms"] = round(percentile(timings.samples.get(name, [0.0]), 95), 2)
    payload["consultations_per_s"] = round(per_s, 2)
    payload["completed_count"] = completed
    payload["failed_count"] = args.users * args.rounds - completed
    payload["users_count"] = args.users
    payload["think_ms"] = args.think_ms
    payload["ramp_s"] = args.ramp_s
    payload["server_cpu_ms_per_request"] = round(server_ms, 2)
    payload["worker_cpu_s"] = round(worker_cpu, 2)
    payload["db_cpu_ms_per_consultation"] = round(db_ms, 2)
    payload.update(machine)
    json_line(payload)


if __name__ == "__main__":
    main()
