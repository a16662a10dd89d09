"""gunicorn for the JSON API and the pages (`./xt serve` with Redis, docs/adr/0016): threads
in each process, connections kept alive, no access log (the audit log records what matters).
uvicorn beside it serves the WebSockets. Read by `./xt serve` and the benchmarks alike."""

import os

worker_class = "gthread"
workers = int(os.environ.get("XT_WEB_WORKERS", "1"))
threads = int(os.environ.get("XT_WEB_THREADS", "4"))
keepalive = 75
graceful_timeout = 20
accesslog = None
loglevel = os.environ.get("XT_SERVER_LOG_LEVEL", "warning")
