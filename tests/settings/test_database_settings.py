"""How the server connects to its database in each mode (read from a fresh interpreter, as
`./xt serve` would start)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _database(**env: str) -> dict[str, Any]:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "d = settings.DATABASES['default']; "
        "print(json.dumps({'engine': d['ENGINE'], 'max_age': d['CONN_MAX_AGE'], "
        "'options': d.get('OPTIONS', {})}, default=str))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("XT_")}
    answer = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.embedded", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(answer.stdout.strip().splitlines()[-1])
    return result


def test_postgresql_connections_come_from_a_pool_per_process() -> None:
    db = _database(XT_DATABASE_URL="postgres://xt@db.internal:5432/xietong", XT_DB_POOL_MAX="16")
    assert db["engine"] == "django.db.backends.postgresql"
    assert db["options"]["pool"]["max_size"] == 16
    assert db["max_age"] == 0  # a pool and persistent connections exclude each other


def test_the_pool_can_be_turned_off() -> None:
    db = _database(XT_DATABASE_URL="postgres://xt@db.internal:5432/xietong", XT_DB_POOL="0")
    assert "pool" not in db["options"]


def test_the_embedded_sqlite_database_writes_ahead() -> None:
    db = _database()
    assert db["engine"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in db["options"]["init_command"]
