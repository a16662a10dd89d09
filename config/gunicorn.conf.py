"""gunicorn for the JSON API and the pages (`./xt serve` with Redis, docs/adr/0016): threads
in each process, connections kept alive, no access log (the audit log records what matters).
uvicorn beside it serves the WebSockets. Read by `./xt serve` and the benchmarks alike."""

import gc
import os

worker_class = "gthread"
# The master imports the application and warms it (xietong/core/warmup.py) before it forks
# the web processes: each starts ready, and they share what was loaded.
preload_app = True
# One process per core: a process runs Python on one core at a time (the GIL), so one
# process left the second core of a small server to PostgreSQL alone while requests queued
# for the first (a STOW-RS client or four, docs/adr/0022); the threads of each overlap the
# waits for the database and the storage. At most 8 by default: each process keeps a pool
# of up to XT_DB_POOL_MAX (10) connections, and PostgreSQL allows 100 unless told otherwise.
workers = int(os.environ.get("XT_WEB_WORKERS") or min(os.cpu_count() or 1, 8))
threads = int(os.environ.get("XT_WEB_THREADS", "4"))
# A database connection ready for each thread of a process when it starts serving: the first
# requests after a start do not each wait for a connection to be made (config/settings/base.py).
os.environ.setdefault("XT_DB_POOL_MIN", str(threads))
keepalive = 75
graceful_timeout = 20
accesslog = None
loglevel = os.environ.get("XT_SERVER_LOG_LEVEL", "warning")


def post_worker_init(worker: object) -> None:
    """In each web process, after the fork and before it accepts a request: its database
    connections are made now, not by the first requests (none are made before the fork)."""
    from xietong.core.warmup import database_pool_open

    database_pool_open()


def pre_fork(server: object, worker: object) -> None:
    """In the master, before it forks a web process: what the preloaded, warmed application
    holds is moved out of the garbage collector's sight (gc.freeze). Each process's full
    collections then walk only what it made itself: one took 0.2 s in the middle of a
    STOW-RS request, an instance's ingest twenty times over (docs/adr/0029). The memory the
    processes share from the fork also stays shared, since the collector no longer writes
    to it."""
    gc.freeze()
