"""The gateway's one state file: how every part of it opens the SQLite database.

The outbox (what goes to the platform) and the inbox (what the platform pushed) share one
file and must open it alike: WAL, so the pusher reads while a source writes; `synchronous=
FULL`, so a COMMIT returns only once the write-ahead log is on disk and an answer given after
it (an ACK, a 200, a 201) is never a promise the disk did not keep; autocommit, so each part
states its own transactions with `BEGIN IMMEDIATE`.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path


def state_open(*, path: Path, schema: str) -> sqlite3.Connection:
    """A connection to the state file with its durability settings, `schema` applied
    (idempotent `CREATE ... IF NOT EXISTS`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(schema)
    return db


def disk_short_by(*, path: Path, min_free_bytes: int) -> str | None:
    """Why a message cannot be accepted durably now (too little free disk beside the state
    file), or None. Asked before anything is written, so a refusal changes nothing."""
    free = shutil.disk_usage(path.parent).free
    if free < min_free_bytes:
        return f"free disk {free // 2**20} MB below {min_free_bytes // 2**20} MB"
    return None
