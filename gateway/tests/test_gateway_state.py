"""The outbox and the inbox open their shared state file alike, durably."""

from __future__ import annotations

from pathlib import Path

import pytest
from xt_gateway.inbox import Inbox, InboxFull
from xt_gateway.outbox import Outbox, OutboxFull


def test_both_open_the_state_file_in_wal_with_full_sync(tmp_path: Path) -> None:
    path = tmp_path / "state" / "outbox.sqlite3"
    for opened in (Outbox(path), Inbox(path)):
        try:
            db = opened._db
            assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
            assert db.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
        finally:
            opened.close()


def test_both_refuse_on_a_full_disk_before_writing(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    outbox, inbox = Outbox(path, min_free_bytes=2**62), Inbox(path, min_free_bytes=2**62)
    try:
        with pytest.raises(OutboxFull, match="free disk"):
            outbox.put(message_id="m", patient_key="p", kind="FHIR", raw=b"x", bundle={})
        with pytest.raises(InboxFull, match="free disk"):
            inbox.put(message_id="m", kind="opinion", body=b"x")
        assert outbox.status().queue_depth == 0
        assert inbox.status(his=False).received == 0
    finally:
        outbox.close()
        inbox.close()
