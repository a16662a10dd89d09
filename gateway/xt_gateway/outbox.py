"""The durable outbox: what the HIS was told is accepted, kept until the platform has it.

SQLite in WAL mode with `synchronous=FULL`: a COMMIT returns only once the write-ahead log is
on disk, and the HIS gets its ACK only after that COMMIT. A crash after the ACK therefore
finds the message here on restart; a crash before it leaves the HIS without an ACK, and the
HIS resends (the message id makes that resend a no-op).

Rows are never deleted by the pusher: `sent` rows are pruned after `keep_sent_days`, so an
operator can still answer "did the platform get message X last week".
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .state import disk_short_by, state_open

_SCHEMA = """
CREATE TABLE IF NOT EXISTS message (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL UNIQUE,
  patient_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  raw BLOB NOT NULL,
  bundle TEXT NOT NULL,
  received_at REAL NOT NULL,
  state TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'sent', 'refused')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at REAL NOT NULL DEFAULT 0,
  sent_at REAL,
  last_error TEXT,
  response TEXT
);
CREATE INDEX IF NOT EXISTS message_waiting ON message (patient_key, seq) WHERE state = 'waiting';
CREATE TABLE IF NOT EXISTS error (at REAL NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS error_at ON error (at);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class OutboxFull(Exception):
    """Not enough free disk to accept a message durably: refuse it before acknowledging."""


@dataclass(frozen=True)
class NewMessage:
    """One message to keep: what `put` takes, for several at once."""

    message_id: str
    patient_key: str
    kind: str
    raw: bytes
    bundle: dict[str, Any]


@dataclass(frozen=True)
class Waiting:
    seq: int
    message_id: str
    patient_key: str
    bundle: str
    attempts: int


@dataclass(frozen=True)
class Status:
    queue_depth: int
    oldest_waiting_s: float | None
    last_success_at: float | None
    errors_last_hour: int
    refused: int
    sent: int
    last_error: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "queue_depth": self.queue_depth,
            "oldest_waiting_s": self.oldest_waiting_s,
            "last_success_at": _iso(self.last_success_at),
            "errors_last_hour": self.errors_last_hour,
        }


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    import datetime as dt

    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat().replace("+00:00", "Z")


def backoff(attempts: int, *, base: float, cap: float) -> float:
    """Exponential backoff with full jitter: waits grow to `cap` and never synchronise
    several gateways that lost the platform at the same moment."""
    return random.uniform(base / 2, min(cap, base * 2 ** max(0, attempts - 1)))


class Outbox:
    def __init__(self, path: Path, *, min_free_bytes: int = 256 * 2**20) -> None:
        self.path = path
        self.min_free_bytes = min_free_bytes
        self._lock = threading.Lock()
        self._db = state_open(path=path, schema=_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- accepting ------------------------------------------------------------------------
    def put(
        self, *, message_id: str, patient_key: str, kind: str, raw: bytes, bundle: dict
    ) -> bool:
        """Store one message durably. True if new, False if this id was already here (a
        HIS resending a message whose ACK it missed). Raises OutboxFull when the disk is
        below the threshold, before anything is written."""
        (new,) = self.put_all(
            [NewMessage(message_id=message_id, patient_key=patient_key, kind=kind, raw=raw,
                        bundle=bundle)]
        )  # fmt: skip
        return new

    def put_all(self, messages: list[NewMessage]) -> list[bool]:
        """Store several messages in one transaction: all of them on disk, or none (a FHIR
        batch the hospital was answered 200 for is kept whole). Per message: True if new,
        False if its id was already here. Raises OutboxFull, before writing, like put."""
        short = disk_short_by(path=self.path, min_free_bytes=self.min_free_bytes)
        if short is not None:
            raise OutboxFull(short)
        now = time.time()
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                new = [
                    self._db.execute(
                        "INSERT INTO message (message_id, patient_key, kind, raw, bundle,"
                        " received_at) VALUES (?, ?, ?, ?, ?, ?)"
                        " ON CONFLICT (message_id) DO NOTHING",
                        (
                            m.message_id,
                            m.patient_key,
                            m.kind,
                            m.raw,
                            json.dumps(m.bundle, ensure_ascii=False, separators=(",", ":")),
                            now,
                        ),
                    ).rowcount
                    == 1
                    for m in messages
                ]
                self._db.execute("COMMIT")
            except sqlite3.OperationalError as exc:  # "database or disk is full"
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise OutboxFull(str(exc)) from exc
        return new

    def same_content(self, message_id: str, raw: bytes) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT raw FROM message WHERE message_id = ?", (message_id,)
            ).fetchone()
        return row is not None and bytes(row[0]) == raw

    # -- sending --------------------------------------------------------------------------
    def due(self, *, limit: int, now: float | None = None) -> list[Waiting]:
        """The oldest waiting message of each patient whose retry time has come, oldest
        first: a later message of a patient is never offered while an earlier one waits."""
        now = time.time() if now is None else now
        with self._lock:
            rows = self._db.execute(
                "SELECT m.seq, m.message_id, m.patient_key, m.bundle, m.attempts FROM message m"
                " WHERE m.state = 'waiting' AND m.next_attempt_at <= ?"
                " AND m.seq = (SELECT min(seq) FROM message w"
                "              WHERE w.patient_key = m.patient_key AND w.state = 'waiting')"
                " ORDER BY m.seq LIMIT ?",
                (now, limit),
            ).fetchall()
        return [Waiting(*row) for row in rows]

    def mark_sent(self, seq: int, *, response: str, entry_errors: list[str]) -> None:
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                "UPDATE message SET state = 'sent', sent_at = ?, response = ?,"
                " attempts = attempts + 1, last_error = ? WHERE seq = ?",
                (now, response, "; ".join(entry_errors) or None, seq),
            )
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES ('last_success_at', ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (repr(now),),
            )
            for text in entry_errors:
                self._db.execute("INSERT INTO error (at, text) VALUES (?, ?)", (now, text))
            self._db.execute("COMMIT")

    def mark_retry(self, seq: int, *, error: str, delay: float) -> None:
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                "UPDATE message SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?"
                " WHERE seq = ?",
                (now + delay, error, seq),
            )
            self._db.execute("INSERT INTO error (at, text) VALUES (?, ?)", (now, error))
            self._db.execute("COMMIT")

    def mark_refused(self, seq: int, *, error: str, response: str) -> None:
        """The platform refused the Bundle as a whole (4xx): resending it unchanged cannot
        help. It stays here, visible in `status`, and stops blocking its patient's queue."""
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                "UPDATE message SET state = 'refused', attempts = attempts + 1, last_error = ?,"
                " response = ? WHERE seq = ?",
                (error, response, seq),
            )
            self._db.execute("INSERT INTO error (at, text) VALUES (?, ?)", (now, error))
            self._db.execute("COMMIT")

    def requeue_refused(self, message_id: str | None = None) -> list[str]:
        """Put refused messages back in the queue (all, or one by id) once whatever the
        platform objected to is fixed; they keep their place by arrival. The ids requeued."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            which = (message_id, message_id)
            rows = self._db.execute(
                "SELECT message_id FROM message WHERE state = 'refused'"
                " AND (? IS NULL OR message_id = ?) ORDER BY seq",
                which,
            ).fetchall()
            self._db.execute(
                "UPDATE message SET state = 'waiting', next_attempt_at = 0"
                " WHERE state = 'refused' AND (? IS NULL OR message_id = ?)",
                which,
            )
            self._db.execute("COMMIT")
        return [r[0] for r in rows]

    def refused(self) -> list[tuple[str, str]]:
        """(message id, last error) of every refused message, oldest first."""
        with self._lock:
            return self._db.execute(
                "SELECT message_id, coalesce(last_error, '') FROM message"
                " WHERE state = 'refused' ORDER BY seq"
            ).fetchall()

    def record_error(self, text: str) -> None:
        with self._lock:
            self._db.execute("INSERT INTO error (at, text) VALUES (?, ?)", (time.time(), text))

    def prune(self, *, keep_sent_days: float = 30) -> None:
        cutoff = time.time() - keep_sent_days * 86400
        with self._lock:
            self._db.execute("DELETE FROM message WHERE state = 'sent' AND sent_at < ?", (cutoff,))
            self._db.execute("DELETE FROM error WHERE at < ?", (time.time() - 86400,))

    # -- reading --------------------------------------------------------------------------
    def status(self) -> Status:
        now = time.time()
        with self._lock:
            depth, oldest = self._db.execute(
                "SELECT count(*), min(received_at) FROM message WHERE state = 'waiting'"
            ).fetchone()
            refused, sent = self._db.execute(
                "SELECT count(*) FILTER (WHERE state = 'refused'),"
                " count(*) FILTER (WHERE state = 'sent') FROM message"
            ).fetchone()
            (errors,) = self._db.execute(
                "SELECT count(*) FROM error WHERE at >= ?", (now - 3600,)
            ).fetchone()
            last = self._db.execute(
                "SELECT value FROM meta WHERE key = 'last_success_at'"
            ).fetchone()
            last_error = self._db.execute(
                "SELECT text FROM error ORDER BY at DESC LIMIT 1"
            ).fetchone()
        return Status(
            queue_depth=depth,
            oldest_waiting_s=round(now - oldest, 3) if oldest is not None else None,
            last_success_at=float(last[0]) if last else None,
            errors_last_hour=errors,
            refused=refused,
            sent=sent,
            last_error=last_error[0] if last_error else None,
        )
