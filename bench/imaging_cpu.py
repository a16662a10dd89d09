"""The CPU one instance costs our archive, measured inside one process (no HTTP server, no
client beside it): what `./xt bench imaging` reports per instance, without the noise of a
shared machine's clock, and with a profile of where it goes.

    python bench/imaging_cpu.py [--instances 500] [--what stow,stow1,cstore,wado]
                                [--profile 25]
    (XT_BENCH_DATABASE_URL, default a local xietong_bench_imaging_cpu, made afresh)

- stow: one STOW-RS request of every instance, through Django's whole request handling
  (middleware, the bearer token, the view, the answer), as a WSGI server would call it;
- stow1: one request per instance, as `./xt bench imaging` sends them;
- cstore: every instance on one association, DCMTK's storescu to the receiver running in
  this process (its CPU is this process's: the receiver's threads);
- wado: each instance retrieved once by WADO-RS, as the bench's retrievals are.

Each prints the process CPU per instance (user + system) and the database's CPU per
instance (its backends, read from /proc), and with --profile the functions that took most
of it (cProfile; for C-STORE the association's thread)."""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, database_cpu_seconds, database_fresh, free_port, machine_print

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/xietong_bench_imaging_cpu"


def _setup(url: str, media: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.embedded")
    os.environ.update({"XT_DATABASE_URL": url, "XT_DB_POOL": "0", "XT_VAR_DIR": str(media)})
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _fresh(url: str) -> tuple[int, str]:
    """A migrated empty database with the bench's hospital: its member's token."""
    from django.db import connections
    from imaging import BENCH_AE, Xietong

    connections.close_all()
    database_fresh(url)
    world = Xietong.__new__(Xietong)
    membership_id = world._world()
    from xietong.directory.models import DicomNode

    assert DicomNode.objects.filter(ae_title=BENCH_AE).exists()
    return membership_id, world._token(membership_id)


def _report(what: str, count: int, cpu: float, database: float) -> None:
    print(f"{what}: {cpu * 1000 / count:.2f} ms CPU per instance in process, "
          f"PostgreSQL {database * 1000 / count:.2f} ms", flush=True)  # fmt: skip


def _profiled(profile: cProfile.Profile | None, top: int) -> None:
    if profile is not None:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(top)
        pstats.Stats(profile).sort_stats("tottime").print_stats(top)


def stow(url: str, files: list[Path], token: str, per_request: int, top: int) -> None:
    from django.test import Client
    from imaging import multipart

    bodies = [multipart([f.read_bytes() for f in files[i : i + per_request]])
              for i in range(0, len(files), per_request)]  # fmt: skip
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT="application/dicom+json")
    client.get("/api/v1/health")  # the first request's one-time work is not counted
    profile = cProfile.Profile(time.process_time) if top else None
    database, cpu = database_cpu_seconds(url), time.process_time()
    if profile:
        profile.enable()
    for body, content_type in bodies:
        answer = client.post("/dicomweb/studies", data=body, content_type=content_type)
        assert answer.status_code == 200, answer.content[:500]
    if profile:
        profile.disable()
    cpu, database = time.process_time() - cpu, database_cpu_seconds(url) - database
    _report(f"STOW-RS, {per_request} per request", len(files), cpu, database)
    _profiled(profile, top)


def cstore(url: str, folder: Path, count: int, top: int) -> None:
    from imaging import BENCH_AE, NODELAY_ENV, program

    from xietong.imaging.dimse import Receiver
    from xietong.imaging.management.commands import dicom_receiver

    profile = cProfile.Profile(time.process_time) if top else None
    ingest: Any = dicom_receiver.archive_ingest
    if profile is not None:
        original = ingest
        # The association's handlers run in one thread: profiled from its first C-STORE.
        started = threading.local()

        def ingest(**kwargs: Any) -> int:
            if not getattr(started, "on", False):
                started.on = True
                profile.enable()
            return int(original(**kwargs))

    receiver = Receiver(
        ae_title="XIETONG", ingest=ingest, ended=dicom_receiver.archive_association_end
    )
    port = free_port("dicom")
    receiver.start("127.0.0.1", port)
    command = [program("storescu"), "-q", "-R", "+sd", "-aet", BENCH_AE, "-aec", "XIETONG",
               "127.0.0.1", str(port), str(folder)]  # fmt: skip
    database, cpu = database_cpu_seconds(url), time.process_time()
    done = subprocess.run(command, env={**os.environ, **NODELAY_ENV}, check=False)  # noqa: S603
    cpu, database = time.process_time() - cpu, database_cpu_seconds(url) - database
    receiver.stop()
    assert done.returncode == 0, done.returncode
    _report("C-STORE, one association", count, cpu, database)
    if profile is not None:
        profile.disable()
    _profiled(profile, top)


def wado(url: str, token: str, top: int) -> None:
    from django.test import Client

    from xietong.imaging.models import Instance

    accept = 'multipart/related; type="application/dicom"; transfer-syntax=*'
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT=accept)
    uids = Instance.objects.values_list(
        "study__study_instance_uid", "series__series_instance_uid", "sop_instance_uid"
    )
    paths = [f"/dicomweb/studies/{a}/series/{b}/instances/{c}" for a, b, c in uids]
    client.get(paths[0])
    profile = cProfile.Profile(time.process_time) if top else None
    database, cpu = database_cpu_seconds(url), time.process_time()
    if profile:
        profile.enable()
    for path in paths:
        answer = client.get(path)
        body = b"".join(answer.streaming_content) if answer.streaming else answer.content  # type: ignore[attr-defined]
        assert answer.status_code == 200 and len(body) > 500_000, answer.status_code
    if profile:
        profile.disable()
    cpu, database = time.process_time() - cpu, database_cpu_seconds(url) - database
    _report("WADO-RS instance", len(paths), cpu, database)
    _profiled(profile, top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--instances", type=int, default=500)
    parser.add_argument("--what", default="stow,stow1,cstore,wado")
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions")
    args = parser.parse_args()
    url = os.environ.get("XT_BENCH_DATABASE_URL", DEFAULT_URL)
    with tempfile.TemporaryDirectory(prefix="xt-bench-imaging-cpu-") as temp:
        folder = Path(temp) / "instances"
        folder.mkdir()
        _setup(url, Path(temp) / "var")
        from imaging import instances_make

        files = [i.path for i in instances_make(folder, args.instances)]
        machine_print()
        for what in args.what.split(","):
            _membership, token = _fresh(url)
            if what == "stow":
                stow(url, files, token, len(files), args.profile)
            elif what == "stow1":
                stow(url, files, token, 1, args.profile)
            elif what == "cstore":
                cstore(url, folder, len(files), args.profile)
            elif what == "wado":
                stow(url, files, token, len(files), 0)
                wado(url, token, args.profile)


if __name__ == "__main__":
    main()
