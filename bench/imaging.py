"""Benchmark: our DICOM archive beside Orthanc, with the same clients and the same images.

    ./xt bench imaging [--instances 500] [--clients 4] [--batch 1] [--queries 200]
                       [--retrievals 200] [--server-workers N] [--index-instances 1000000]
    (XT_BENCH_DATABASE_URL, default a local xietong_bench_imaging, made afresh; Orthanc's
    PostgreSQL index gets a database of its own beside it, xietong_bench_imaging_orthanc;
    the servers' ports are any free ones, or the first free ones in XT_BENCH_PORTS_WEB,
    _DICOM, _ORTHANC_HTTP and _ORTHANC_DICOM, each a range such as 8220-8224)

Generates N synthetic 512x512 CT instances (about 512 KB each, xietong.imaging.synthetic)
once into a temporary folder, then for each target (Orthanc, and Xietong when its DICOMweb
and its DICOM receiver exist) measures, each ingest on an empty archive:

- STOW-RS ingest with 1 client and with --clients clients (plain HTTP POSTs of
  multipart/related, --batch instances per request, a keep-alive connection per client);
- C-STORE of every instance on one association with DCMTK's `storescu` (TCP_NODELAY set on
  both ends: STANDARDS.md, DICOM networking note);
- QIDO-RS study search p95 (patient ID, patient name with a wildcard, study UID, date range
  with modality) over what was ingested, Xietong's with --index-instances more in its index
  (bulk-loaded once into a template database and copied for each run: bench/imaging_index.py;
  Orthanc's over what it ingested);
- WADO-RS instance retrieve p95.

Orthanc is Debian's (`orthanc`, `orthanc-dicomweb`, and `orthanc-postgresql` when the bench
database is PostgreSQL, so that both index their archive in the same kind of database),
installed by `./xt bench imaging`, configured on ports of its own in a temporary folder,
started, measured and stopped. Every archive's ingest is checked afterwards by counting the
instances QIDO reports, so a fast run that lost images shows as such.

Goals on this 2-core machine (issue 11): STOW ingest >= 1.2x Orthanc's (1 and 4 clients),
C-STORE >= 200 instances/s, QIDO p95 < 50 ms (at 1,000,000 instances in the index), WADO
p95 < 30 ms."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote, urlencode, urlsplit

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
    table_print,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/xietong_bench_imaging"
GOAL_RATIO = 1.2
GOAL_CSTORE_PER_S = 200
GOAL_QIDO_P95_MS = 50
GOAL_WADO_P95_MS = 30
BENCH_AE = "XTBENCH"  # the calling AE title storescu uses towards both archives
ORTHANC_AE = "ORTHANC"
ORTHANC_PLUGINS = Path("/usr/share/orthanc/plugins")
INSTANCES_PER_STUDY = 25
# What Xietong must have before its side is measured: the DICOMweb URL in the URLconf and
# the management command that runs the DICOM receiver (XT_DICOM_PORT).
XIETONG_STOW_PATH = "/dicomweb/studies"
XIETONG_RECEIVER_COMMAND = "dicom_receiver"
DICOM_JSON = "application/dicom+json"
# DCMTK (storescu, and Orthanc's DICOM server, built on it) disables Nagle's algorithm unless
# TCP_NODELAY=0 is in the environment: said explicitly, so that a stray setting cannot slow
# one side down.
NODELAY_ENV = {"TCP_NODELAY": "1"}


@dataclass(frozen=True)
class Instance:
    path: Path
    study: str
    series: str
    sop: str
    patient_id: str
    patient_name: str
    study_date: str


@dataclass
class Endpoint:
    """Where a target answers: its DICOMweb root on an HTTP port, and its DICOM port."""

    name: str
    http_port: int
    dicomweb_root: str  # "/dicom-web" (Orthanc), "/dicomweb" (Xietong)
    dicom_port: int
    called_ae: str
    headers: dict[str, str] = field(default_factory=dict)
    pids: list[int] = field(default_factory=list)  # the server's processes, for their CPU
    database_url: str = ""  # the PostgreSQL database its index lives in, if any


class Target:
    """One archive under test. The measurements only see its Endpoint; `fresh` empties the
    archive and (re)starts it, `stop` ends whatever it started."""

    name = ""

    def fresh(self, indexed: bool = False) -> Endpoint:
        """`indexed`: with the large index QIDO is measured over, where the target has one."""
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError


def program(name: str) -> str:
    """The installed program's full path (`./xt bench imaging` installs them)."""
    found = shutil.which(name)
    if found is None:
        sys.exit(f"{name} is missing: `./xt bench imaging` installs it (as root)")
    return found


# ---------------------------------------------------------------------------------------
# The images


def instances_make(folder: Path, count: int) -> list[Instance]:
    """`count` CT instances of 512x512 (16 bits: 512 KB of pixels each), 25 to a study, each
    study of another synthetic patient, written as Part 10 files into `folder`."""
    sys.path.insert(0, str(ROOT))
    import datetime as dt

    from xietong.imaging.synthetic import Person, dataset_bytes, study_make

    out: list[Instance] = []
    study_n = 0
    while len(out) < count:
        study_n += 1
        person = Person(
            patient_id=f"BENCH-{study_n:05d}",
            name=f"Bench^Patient{study_n:05d}",
            birth_date=dt.date(1950, 1, 1) + dt.timedelta(days=study_n * 97),
            sex="MF"[study_n % 2],
        )
        when = dt.date(2026, 1, 1) + dt.timedelta(days=study_n)
        datasets = study_make(
            person=person, modality="CT",
            instances_per_series=min(INSTANCES_PER_STUDY, count - len(out)),
            rows=512, cols=512, accession_number=f"ACC{study_n:06d}", study_date=when,
        )  # fmt: skip
        for ds in datasets:
            path = folder / f"{len(out):05d}.dcm"
            path.write_bytes(dataset_bytes(ds))
            out.append(Instance(
                path=path, study=ds.StudyInstanceUID, series=ds.SeriesInstanceUID,
                sop=ds.SOPInstanceUID, patient_id=person.patient_id,
                patient_name=person.name, study_date=when.strftime("%Y%m%d"),
            ))  # fmt: skip
    return out


# ---------------------------------------------------------------------------------------
# The clients: the same for every target


class Http:
    """A keep-alive connection to one target's DICOMweb root."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.conn = http.client.HTTPConnection("127.0.0.1", endpoint.http_port, timeout=120)

    def request(
        self, method: str, path: str, *, body: bytes | None = None, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        url = self.endpoint.dicomweb_root + path
        all_headers = {**self.endpoint.headers, **headers}
        try:
            self.conn.request(method, url, body=body, headers=all_headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            # A server may close an idle keep-alive connection: once more on a new one.
            self.conn.close()
            self.conn = http.client.HTTPConnection(
                "127.0.0.1", self.endpoint.http_port, timeout=120
            )
            self.conn.request(method, url, body=body, headers=all_headers)
            response = self.conn.getresponse()
        return response.status, response.read()


def multipart(parts: Sequence[bytes]) -> tuple[bytes, str]:
    """A multipart/related body of DICOM Part 10 files, and its Content-Type."""
    boundary = uuid.uuid4().hex
    head = f"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n".encode()
    body = b"".join(head + part + b"\r\n" for part in parts) + f"--{boundary}--\r\n".encode()
    return body, f'multipart/related; type="application/dicom"; boundary={boundary}'


def stow_failures(status: int, payload: bytes, sent: int) -> int:
    """How many of the `sent` instances the STOW response did not store."""
    if status >= 300 and status != 409:
        return sent
    try:
        answer = json.loads(payload) if payload else {}
    except ValueError:
        return sent if status >= 300 else 0
    failed = answer.get("00081198", {}).get("Value", []) if isinstance(answer, dict) else []
    return len(failed) if status < 300 else max(len(failed), 1)


def stow(
    endpoint: Endpoint, instances: Sequence[Instance], clients: int, batch: int
) -> tuple[float, int, Timings]:
    """Sends every instance by STOW-RS from `clients` threads, each taking the next batch.
    Returns instances per second, how many failed, and each request's time."""
    batches = [instances[i : i + batch] for i in range(0, len(instances), batch)]
    # The files are read before the clock starts: the bench measures the server.
    bodies = [multipart([i.path.read_bytes() for i in b]) for b in batches]
    timings = Timings()
    lock = threading.Lock()
    next_index = [0]
    failed = [0]
    barrier = threading.Barrier(clients + 1)

    def client() -> None:
        conn = Http(endpoint)
        mine: list[float] = []
        lost = 0
        barrier.wait(60)
        while True:
            with lock:
                n = next_index[0]
                next_index[0] += 1
            if n >= len(bodies):
                break
            body, content_type = bodies[n]
            started = time.perf_counter()
            status, payload = conn.request(
                "POST", "/studies", body=body,
                headers={"Content-Type": content_type, "Accept": DICOM_JSON},
            )  # fmt: skip
            mine.append((time.perf_counter() - started) * 1000)
            lost += stow_failures(status, payload, len(batches[n]))
        with lock:
            timings.samples.setdefault(f"stow x{clients}", []).extend(mine)
            failed[0] += lost

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    barrier.wait(60)
    started = time.perf_counter()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    stored = len(instances) - failed[0]
    return stored / seconds, failed[0], timings


def cstore(endpoint: Endpoint, folder: Path, count: int) -> tuple[float, int]:
    """Sends the folder's files on one association with DCMTK's storescu. Returns instances
    per second (the whole storescu run, association set-up included) and its exit status."""
    command = [
        program("storescu"), "-q", "-R", "+sd", "-aet", BENCH_AE, "-aec", endpoint.called_ae,
        "127.0.0.1", str(endpoint.dicom_port), str(folder),
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (our own command line)
        command, env={**os.environ, **NODELAY_ENV}, capture_output=True, timeout=1800
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        print(f"storescu ended with {done.returncode}: {done.stderr.decode()[-500:]}")
    return count / seconds, done.returncode


def stored_count(endpoint: Endpoint, studies: Sequence[str]) -> int:
    """The instances the archive holds in `studies`, as its QIDO-RS study search reports
    them (study by study: the index may hold many more studies than the bench sent)."""
    conn = Http(endpoint)
    total = 0
    for study_uid in studies:
        query = urlencode({"StudyInstanceUID": study_uid, "includefield": "00201208"})
        status, payload = conn.request("GET", f"/studies?{query}", headers={"Accept": DICOM_JSON})
        if status == 204 or not payload:
            continue
        if status >= 300:
            raise RuntimeError(f"{endpoint.name} QIDO: {status} {payload[:300]!r}")
        for study in json.loads(payload):
            values = study.get("00201208", {}).get("Value", [0])
            total += int(values[0])
    return total


QIDO_SHAPES = ("patient ID", "name*", "study UID", "date+modality")


def qido_queries(instances: Sequence[Instance], count: int) -> list[tuple[str, str]]:
    """Study searches as a viewer's study list makes them, in four shapes: (shape, path)."""
    rng = random.Random(11)
    studies = {i.study: i for i in instances}
    picks = list(studies.values())
    queries = []
    for n in range(count):
        one = rng.choice(picks)
        shape = QIDO_SHAPES[n % len(QIDO_SHAPES)]
        if shape == "patient ID":
            params = {"PatientID": one.patient_id}
        elif shape == "name*":
            params = {"PatientName": one.patient_name[:-2] + "*"}
        elif shape == "study UID":
            params = {"StudyInstanceUID": one.study}
        else:
            params = {
                "StudyDate": f"{one.study_date}-{one.study_date[:6]}28",
                "ModalitiesInStudy": "CT", "limit": "25",
            }  # fmt: skip
        params["includefield"] = "00081030,00201208"
        # Kept literal: Orthanc 1.10 does not decode %5E, %2A or %2C in a query (it then
        # finds nothing), and every server here reads them literal.
        queries.append((shape, "/studies?" + urlencode(params, quote_via=quote, safe="^*,")))
    return queries


def qido(
    endpoint: Endpoint, queries: Sequence[tuple[str, str]], timings: Timings, label: str
) -> list[str]:
    """Times each search (by shape under `label`); returns those that found nothing or
    failed (should be none)."""
    conn = Http(endpoint)
    for _shape, query in queries[:10]:  # warm-up, not timed
        conn.request("GET", query, headers={"Accept": DICOM_JSON})
    misses = []
    for shape, query in queries:
        with timings.time(f"{label} {shape}"):
            status, payload = conn.request("GET", query, headers={"Accept": DICOM_JSON})
        if status != 200 or not json.loads(payload):
            misses.append(f"{query} ({status})")
    return misses


def wado(
    endpoint: Endpoint, instances: Sequence[Instance], count: int, timings: Timings, label: str
) -> int:
    """Times the retrieval of `count` random instances; returns how many failed."""
    rng = random.Random(30)
    conn = Http(endpoint)
    accept = {"Accept": 'multipart/related; type="application/dicom"; transfer-syntax=*'}
    picks = [rng.choice(instances) for _ in range(count + 10)]
    failures = 0
    for n, one in enumerate(picks):
        path = f"/studies/{one.study}/series/{one.series}/instances/{one.sop}"
        if n < 10:  # warm-up, not timed
            conn.request("GET", path, headers=accept)
            continue
        with timings.time(label):
            status, payload = conn.request("GET", path, headers=accept)
        if status != 200 or len(payload) < 500_000:
            failures += 1
    return failures


# ---------------------------------------------------------------------------------------
# Orthanc


def is_postgresql(url: str) -> bool:
    return urlsplit(url).scheme in ("postgres", "postgresql")


def database_empty(url: str) -> None:
    """Xietong's database made afresh: PostgreSQL's dropped and created, SQLite's file
    removed (migrate creates it again)."""
    if is_postgresql(url):
        database_fresh(url)
        return
    path = Path(urlsplit(url).path)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


class Orthanc(Target):
    """Debian's Orthanc with its DICOMweb plugin (and its PostgreSQL index when the bench
    runs on PostgreSQL), its storage and configuration in a folder of the bench's own."""

    name = "Orthanc"

    def __init__(self, folder: Path, database_url: str) -> None:
        self.folder = folder
        self.database_url = database_url
        self.process: subprocess.Popen[bytes] | None = None

    def _configuration(self, http_port: int, dicom_port: int) -> dict[str, Any]:
        plugins = [str(ORTHANC_PLUGINS / "libOrthancDicomWeb.so")]
        config: dict[str, Any] = {
            "Name": "xt-bench-orthanc",
            "StorageDirectory": str(self.folder / "storage"),
            "IndexDirectory": str(self.folder / "index"),
            "HttpPort": http_port,
            "DicomPort": dicom_port,
            "DicomAet": ORTHANC_AE,
            "RemoteAccessAllowed": False,
            "AuthenticationEnabled": False,
            "KeepAlive": True,
            "TcpNoDelay": True,
            # Like ours, files are kept as received.
            "StorageCompression": False,
            "DicomWeb": {"Enable": True, "Root": "/dicom-web/", "EnableWado": False},
            "Plugins": plugins,
        }
        if self.database_url:
            parts = urlsplit(self.database_url)
            plugins.append(str(ORTHANC_PLUGINS / "libOrthancPostgreSQLIndex.so"))
            config["PostgreSQL"] = {
                "EnableIndex": True,
                "EnableStorage": False,  # the files stay on disk, as ours do
                "Host": parts.hostname or "127.0.0.1",
                "Port": parts.port or 5432,
                "Database": parts.path.lstrip("/"),
                "Username": parts.username or "postgres",
                "Password": parts.password or "",
                "Lock": False,
            }
        return config

    def fresh(self, indexed: bool = False) -> Endpoint:
        self.stop()
        for name in ("storage", "index"):
            shutil.rmtree(self.folder / name, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.database_url:
            database_fresh(self.database_url)
        http_port, dicom_port = free_port("orthanc_http"), free_port("orthanc_dicom")
        path = self.folder / "orthanc.json"
        path.write_text(json.dumps(self._configuration(http_port, dicom_port), indent=2))
        log = (self.folder / "orthanc.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603 (our own command line)
            [program("Orthanc"), str(path)],
            env={**os.environ, **NODELAY_ENV}, stdout=log, stderr=log,
        )  # fmt: skip
        endpoint = Endpoint(
            name=self.name, http_port=http_port, dicomweb_root="/dicom-web",
            dicom_port=dicom_port, called_ae=ORTHANC_AE, pids=[self.process.pid],
            database_url=self.database_url,
        )  # fmt: skip
        if not answers(http_port, "/system", self.process):
            self.stop()
            sys.exit(f"Orthanc did not start: see {self.folder / 'orthanc.log'}")
        return endpoint

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def answers(port: int, path: str, process: subprocess.Popen[bytes], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return True
        except OSError:
            time.sleep(0.3)
    return False


# ---------------------------------------------------------------------------------------
# Xietong


def xietong_missing() -> str | None:
    """Why Xietong's side cannot be measured yet, or None when its DICOMweb URL and its DICOM
    receiver command exist in this checkout."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.embedded")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import get_commands
    from django.urls import Resolver404, resolve

    django.setup()
    missing = []
    try:
        resolve(XIETONG_STOW_PATH)
    except Resolver404:
        missing.append(f"no {XIETONG_STOW_PATH} in the URLconf (STOW/QIDO/WADO)")
    if XIETONG_RECEIVER_COMMAND not in get_commands():
        missing.append(f"no `{XIETONG_RECEIVER_COMMAND}` command (the C-STORE receiver)")
    return "; ".join(missing) or None


class Xietong(Target):
    """Xietong as `./xt serve` runs it (gunicorn) with the DICOM receiver beside it, on a
    fresh database: one sending institution, whose member's bearer token the STOW, QIDO and
    WADO clients carry, and which registers the bench's calling AE title as a DICOM node."""

    name = "Xietong"

    def __init__(
        self, folder: Path, database_url: str, workers: int, index_instances: int = 0
    ) -> None:
        self.folder = folder
        self.database_url = database_url
        self.workers = workers
        self.index_instances = index_instances
        self.processes: list[subprocess.Popen[bytes]] = []

    def _world(self) -> int:
        """Migrates the fresh database, makes the bench's hospital, its member and its DICOM
        node, and returns the member's membership id."""
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from xietong.consultations.tests.world import member
        from xietong.directory.models import DicomNode, Institution
        from xietong.directory.tests.factories import InstitutionFactory

        hospital = cast(Institution, InstitutionFactory(level="county", name="基准县人民医院"))
        DicomNode.objects.create(institution=hospital, ae_title=BENCH_AE, addresses=["127.0.0.1"])
        actor: Any = member(hospital, "requester")
        return int(actor.membership_id)

    def _token(self, membership_id: int) -> str:
        from django.db import connections

        from xietong.accounts.models import Membership
        from xietong.accounts.tokens import api_token_issue

        token = api_token_issue(membership=Membership.objects.get(pk=membership_id))[1]
        connections.close_all()
        return token

    def fresh(self, indexed: bool = False) -> Endpoint:
        self.stop()
        if "django" in sys.modules and "DJANGO_SETTINGS_MODULE" in os.environ:
            # This process's own connection goes before the database does.
            from django.db import connections

            connections.close_all()
        if indexed and self.index_instances and is_postgresql(self.database_url):
            from imaging_index import database_from_template

            membership_id = database_from_template(
                self.database_url, self.index_instances, self._world, database_fresh
            )
        else:
            database_empty(self.database_url)
            membership_id = self._world()
        token = self._token(membership_id)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        http_port, dicom_port = free_port("web"), free_port("dicom")
        env = {
            **os.environ, **NODELAY_ENV,
            "XT_REDIS_URL": os.environ.get("XT_REDIS_URL", "redis://127.0.0.1:6379/3"),
            "DJANGO_SETTINGS_MODULE": "config.settings.embedded",
            "XT_DATABASE_URL": self.database_url, "XT_DB_POOL": "1",
            "XT_VAR_DIR": str(self.folder), "XT_LOG_LEVEL": "ERROR",
            "XT_DICOM_PORT": str(dicom_port), "PYTHONWARNINGS": "ignore",
        }  # fmt: skip
        if self.workers:  # else as `./xt serve` runs it: one process per core
            env["XT_WEB_WORKERS"] = str(self.workers)
        python = sys.executable
        web = subprocess.Popen(  # noqa: S603 (our own command line)
            [python, "-m", "gunicorn", "config.wsgi:application", "-c",
             "config/gunicorn.conf.py", "--bind", f"127.0.0.1:{http_port}"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        receiver = subprocess.Popen(  # noqa: S603
            [python, "-m", "django", XIETONG_RECEIVER_COMMAND], cwd=ROOT, env=env
        )
        self.processes = [web, receiver]
        if not answers(http_port, "/api/v1/health", web):
            self.stop()
            sys.exit("Xietong's server did not answer /api/v1/health within 60 s")
        return Endpoint(
            name=self.name, http_port=http_port, dicomweb_root="/dicomweb",
            dicom_port=dicom_port,
            called_ae=os.environ.get("XT_DICOM_AE_TITLE", "XIETONG"),
            headers={"Authorization": f"Bearer {token}"},
            pids=[web.pid, receiver.pid],
            database_url=self.database_url if is_postgresql(self.database_url) else "",
        )  # fmt: skip

    def stop(self) -> None:
        for p in self.processes:
            p.terminate()
        for p in self.processes:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        self.processes = []


# ---------------------------------------------------------------------------------------
# The run


@dataclass
class Figures:
    stow_per_s: float | None = None
    stow4_per_s: float | None = None
    cstore_per_s: float | None = None
    qido_p95_ms: float | None = None
    wado_p95_ms: float | None = None
    problems: list[str] = field(default_factory=list)
    # CPU per instance (ms) of the server's processes and of its PostgreSQL backends, by
    # what was measured: a busy machine slows the clock, much less the CPU each one costs.
    cpu_ms: dict[str, float] = field(default_factory=dict)


@contextmanager
def cpu_reported(
    endpoint: Endpoint, what: str, count: int, figures: Figures | None = None
) -> Iterator[None]:
    """Prints the CPU the target's processes (and its PostgreSQL backends) spent on `what`."""
    server = cpu_seconds(endpoint.pids)
    database = database_cpu_seconds(endpoint.database_url) if endpoint.database_url else 0.0
    yield
    server = cpu_seconds(endpoint.pids) - server
    if endpoint.database_url:
        database = database_cpu_seconds(endpoint.database_url) - database
    line = f"  {endpoint.name} {what}: server CPU {server * 1000 / count:.2f} ms per instance"
    key = what.lower().replace("-", "").replace(" ", "")
    if figures is not None:
        figures.cpu_ms[f"{key}_server"] = round(server * 1000 / count, 2)
        if endpoint.database_url:
            figures.cpu_ms[f"{key}_database"] = round(database * 1000 / count, 2)
    if endpoint.database_url:
        line += f", PostgreSQL {database * 1000 / count:.2f} ms per instance"
    print(line)


def ingest_checked(
    endpoint: Endpoint, instances: Sequence[Instance], what: str, figures: Figures
) -> None:
    expected = len(instances)
    held = stored_count(endpoint, sorted({i.study for i in instances}))
    if held != expected:
        figures.problems.append(f"{what}: {held} of {expected} instances stored")


def measure(
    target: Target, instances: Sequence[Instance], folder: Path, args: argparse.Namespace,
    timings: Timings,
) -> Figures:  # fmt: skip
    figures = Figures()
    count = len(instances)
    try:
        for clients in (1, args.clients):
            endpoint = target.fresh()
            with cpu_reported(endpoint, f"STOW-RS x{clients}", count, figures):
                per_s, failed, stow_timings = stow(endpoint, instances, clients, args.batch)
            for kind, values in stow_timings.samples.items():
                timings.samples[f"{target.name} {kind}"] = values
            print(f"{target.name} STOW-RS, {clients} client(s): {per_s:.1f} instances/s")
            if failed:
                figures.problems.append(f"STOW x{clients}: {failed} instances refused")
            ingest_checked(endpoint, instances, f"STOW x{clients}", figures)
            if clients == 1:
                figures.stow_per_s = round(per_s, 1)
            else:
                figures.stow4_per_s = round(per_s, 1)
        # C-STORE into the archive QIDO and WADO are then measured over: Xietong's holds the
        # large index already (a copy of its template), which the C-STORE adds to.
        endpoint = target.fresh(indexed=True)
        with cpu_reported(endpoint, "C-STORE", count, figures):
            per_s, status = cstore(endpoint, folder, count)
        print(f"{target.name} C-STORE (storescu, one association): {per_s:.1f} instances/s")
        if status == 0:
            figures.cstore_per_s = round(per_s, 1)
        else:
            figures.problems.append(f"C-STORE: storescu ended with status {status}")
        ingest_checked(endpoint, instances, "C-STORE", figures)
        misses = qido(
            endpoint, qido_queries(instances, args.queries), timings, f"{target.name} QIDO"
        )
        if misses:
            figures.problems.append(
                f"QIDO: {len(misses)} searches found nothing or failed, e.g. {misses[0]}"
            )
        figures.qido_p95_ms = timings.p(f"{target.name} QIDO", 95)
        failures = wado(endpoint, instances, args.retrievals, timings, f"{target.name} WADO")
        if failures:
            figures.problems.append(f"WADO: {failures} retrievals failed")
        figures.wado_p95_ms = timings.p(f"{target.name} WADO", 95)
    finally:
        target.stop()
    return figures


def verdict(value: float | None, goal: float, *, below: bool) -> str:
    if value is None:
        return "not measured"
    met = value < goal if below else value >= goal
    return "met" if met else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--instances", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4, help="STOW clients in the 2nd run")
    parser.add_argument("--batch", type=int, default=1, help="instances per STOW request")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--retrievals", type=int, default=200)
    parser.add_argument(
        "--server-workers", type=int, default=0,
        help="Xietong's gunicorn processes (default: as ./xt serve, one per core)",
    )  # fmt: skip
    parser.add_argument(
        "--index-instances", type=int, default=1_000_000,
        help="instances bulk-loaded into Xietong's index before QIDO is measured (PostgreSQL)",
    )  # fmt: skip
    args = parser.parse_args()
    for name in ("Orthanc", "storescu"):
        program(name)
    url = os.environ.get("XT_BENCH_DATABASE_URL", DEFAULT_URL)
    postgresql = is_postgresql(url)
    orthanc_url = ""
    if postgresql:
        parts = urlsplit(url)
        orthanc_url = parts._replace(path=parts.path.rstrip("/") + "_orthanc").geturl()
    os.environ["XT_DATABASE_URL"] = url
    # One connection of this process's own, closed before each fresh database: a pool's
    # connections would outlive the drop (Django reads this once, at setup, just below).
    os.environ["XT_DB_POOL"] = "0"
    missing = xietong_missing()

    with tempfile.TemporaryDirectory(prefix="xt-bench-imaging-") as temp:
        root = Path(temp)
        folder = root / "instances"
        folder.mkdir()
        started = time.perf_counter()
        instances = instances_make(folder, args.instances)
        megabytes = sum(i.path.stat().st_size for i in instances) / 1e6
        print(
            f"{len(instances)} synthetic CT instances, 512x512, {megabytes:.0f} MB in "
            f"{len(instances) // INSTANCES_PER_STUDY or 1} studies "
            f"(made in {time.perf_counter() - started:.1f} s)"
        )
        machine = machine_print()
        timings = Timings()
        orthanc = measure(Orthanc(root / "orthanc", orthanc_url), instances, folder, args, timings)
        ours = Figures()
        if missing is None:
            ours = measure(
                Xietong(root / "xietong", url, args.server_workers,
                        args.index_instances if postgresql else 0),
                instances, folder, args, timings,
            )  # fmt: skip
        machine_after = machine_print()

    index = "PostgreSQL index" if postgresql else "SQLite index"
    table_print(
        timings,
        f"imaging benchmark: {len(instances)} CT instances of 512x512, STOW batches of "
        f"{args.batch}, {args.clients} clients in the second STOW run; Orthanc with its "
        f"{index}",
    )
    filler = args.index_instances if postgresql else 0
    print(
        f"QIDO searches: Xietong's over {filler + len(instances):,} instances in its index "
        f"({filler:,} bulk-loaded), Orthanc's over the {len(instances)} it ingested."
    )
    for name, figures in (("Orthanc", orthanc), ("Xietong", ours)):
        for problem in figures.problems:
            print(f"{name} problem: {problem}")
    if missing is not None:
        print(f"Xietong's side is not there yet ({missing}): only Orthanc's figures are real.")
    ratio = None
    if ours.stow_per_s and orthanc.stow_per_s:
        ratio = round(ours.stow_per_s / orthanc.stow_per_s, 2)
    ratio4 = None
    if ours.stow4_per_s and orthanc.stow4_per_s:
        ratio4 = round(ours.stow4_per_s / orthanc.stow4_per_s, 2)
    print(
        f"goals: STOW >= {GOAL_RATIO}x Orthanc: 1 client "
        f"{verdict(ratio, GOAL_RATIO, below=False)}, {args.clients} clients "
        f"{verdict(ratio4, GOAL_RATIO, below=False)}; C-STORE >= {GOAL_CSTORE_PER_S}/s "
        f"{verdict(ours.cstore_per_s, GOAL_CSTORE_PER_S, below=False)}; QIDO p95 < "
        f"{GOAL_QIDO_P95_MS} ms {verdict(ours.qido_p95_ms, GOAL_QIDO_P95_MS, below=True)} "
        f"(at {filler + len(instances):,} instances); WADO p95 < {GOAL_WADO_P95_MS} ms "
        f"{verdict(ours.wado_p95_ms, GOAL_WADO_P95_MS, below=True)}"
    )
    payload: dict[str, Any] = {
        "bench": "imaging",
        "stow_per_s": ours.stow_per_s,
        "orthanc_stow_per_s": orthanc.stow_per_s,
        "stow_vs_orthanc_ratio": ratio,
        "stow4_per_s": ours.stow4_per_s,
        "orthanc_stow4_per_s": orthanc.stow4_per_s,
        "stow4_vs_orthanc_ratio": ratio4,
        "cstore_per_s": ours.cstore_per_s,
        "orthanc_cstore_per_s": orthanc.cstore_per_s,
        "qido_p95_ms": ours.qido_p95_ms,
        "orthanc_qido_p95_ms": orthanc.qido_p95_ms,
        "wado_p95_ms": ours.wado_p95_ms,
        "orthanc_wado_p95_ms": orthanc.wado_p95_ms,
        "instances_count": len(instances),
        "qido_index_instances_count": filler + len(instances),
        "stow_batch_count": args.batch,
        "stow_clients_count": args.clients,
        "orthanc_index": "postgresql" if postgresql else "sqlite",
        "xietong_side": "measured" if missing is None else f"missing: {missing}",
        "problems_count": len(orthanc.problems) + len(ours.problems),
        "load_1m_after": machine_after["load_1m"],
    }
    for name, figures in (("xietong", ours), ("orthanc", orthanc)):
        for key, value in sorted(figures.cpu_ms.items()):
            payload[f"{name}_{key}_cpu_ms_per_instance"] = value
    payload.update(machine)
    json_line(payload)


if __name__ == "__main__":
    main()
