"""The inbox: what the platform pushed to this hospital, kept until the HIS has it.

The same SQLite file as the outbox (WAL, `synchronous=FULL`): the platform is answered 200
only after the COMMIT, so a message it was told is stored is on disk. A message is stored
once per idempotency key; a resend (the platform did not read the first answer) is counted
and answered alike. Handing over to the HIS (a drop folder, optionally HL7 v2) is tracked
per message, so a crash between the two hands it over again, never loses it."""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .state import disk_short_by, state_open

_SCHEMA = """
CREATE TABLE IF NOT EXISTS inbound (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  body BLOB NOT NULL,
  received_at REAL NOT NULL,
  times_received INTEGER NOT NULL DEFAULT 1,
  handed_at REAL,
  file_name TEXT,
  his_sent_at REAL,
  his_error TEXT
);
CREATE INDEX IF NOT EXISTS inbound_to_hand ON inbound (seq) WHERE handed_at IS NULL;
"""


class InboxFull(Exception):
    """Not enough free disk to keep a message durably: refuse it, the platform retries."""


@dataclass(frozen=True)
class Received:
    seq: int
    message_id: str
    kind: str
    body: bytes


@dataclass(frozen=True)
class InboxStatus:
    received: int
    duplicates: int
    waiting_handover: int
    handed: int
    last_received_at: float | None
    his_waiting: int

    def as_json(self) -> dict[str, Any]:
        return {
            "inbound_received": self.received,
            "inbound_duplicates": self.duplicates,
            "inbound_waiting_handover": self.waiting_handover,
            "inbound_handed": self.handed,
            "inbound_last_received_at": self.last_received_at,
            "inbound_his_waiting": self.his_waiting,
        }


class Inbox:
    def __init__(self, path: Path, *, min_free_bytes: int = 256 * 2**20) -> None:
        self.path = path
        self.min_free_bytes = min_free_bytes
        self._lock = threading.Lock()
        self._db = state_open(path=path, schema=_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def put(self, *, message_id: str, kind: str, body: bytes) -> bool:
        """Store durably; True if new, False for a resend (its count goes up, nothing else
        changes: the first copy is the one handed over)."""
        short = disk_short_by(path=self.path, min_free_bytes=self.min_free_bytes)
        if short is not None:
            raise InboxFull(short)
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                cur = self._db.execute(
                    "INSERT INTO inbound (message_id, kind, body, received_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (message_id) DO NOTHING",
                    (message_id, kind, body, time.time()),
                )
                new = cur.rowcount == 1
                if not new:
                    self._db.execute(
                        "UPDATE inbound SET times_received = times_received + 1"
                        " WHERE message_id = ?",
                        (message_id,),
                    )
                self._db.execute("COMMIT")
            except sqlite3.OperationalError as exc:  # "database or disk is full"
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise InboxFull(str(exc)) from exc
        return new

    def to_hand_over(self, *, limit: int = 100) -> list[Received]:
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, message_id, kind, body FROM inbound WHERE handed_at IS NULL"
                " ORDER BY seq LIMIT ?",
                (limit,),
            ).fetchall()
        return [Received(seq, mid, kind, bytes(body)) for seq, mid, kind, body in rows]

    def mark_handed(self, seq: int, *, file_name: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE inbound SET handed_at = ?, file_name = ? WHERE seq = ?",
                (time.time(), file_name, seq),
            )

    def to_send_his(self, *, limit: int = 50) -> list[Received]:
        """Reports (an opinion, an imaging report) not yet sent to the HIS as HL7 v2."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, message_id, kind, body FROM inbound WHERE his_sent_at IS NULL"
                " AND kind IN ('opinion', 'imaging_report') ORDER BY seq LIMIT ?",
                (limit,),
            ).fetchall()
        return [Received(seq, mid, kind, bytes(body)) for seq, mid, kind, body in rows]

    def mark_his(self, seq: int, *, error: str | None) -> None:
        with self._lock:
            if error is None:
                self._db.execute(
                    "UPDATE inbound SET his_sent_at = ?, his_error = NULL WHERE seq = ?",
                    (time.time(), seq),
                )
            else:
                self._db.execute("UPDATE inbound SET his_error = ? WHERE seq = ?", (error, seq))

    def status(self, *, his: bool = False) -> InboxStatus:
        with self._lock:
            received, dupes, waiting, last = self._db.execute(
                "SELECT count(*), coalesce(sum(times_received - 1), 0),"
                " count(*) FILTER (WHERE handed_at IS NULL), max(received_at) FROM inbound"
            ).fetchone()
            his_waiting = 0
            if his:
                (his_waiting,) = self._db.execute(
                    "SELECT count(*) FROM inbound WHERE his_sent_at IS NULL"
                    " AND kind IN ('opinion', 'imaging_report')"
                ).fetchone()
        return InboxStatus(
            received=received,
            duplicates=dupes,
            waiting_handover=waiting,
            handed=received - waiting,
            last_received_at=last,
            his_waiting=his_waiting,
        )
