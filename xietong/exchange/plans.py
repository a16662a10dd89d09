"""Searches planned for their values, not once for all (PostgreSQL).

The server keeps a statement's plan once it has run a few times on a connection (ADR 16).
That generic plan cannot tell a common code from a rare one: identifiers and codes share the
token table's `value` column, whose values are nearly all distinct, so a kept plan takes any
code for a rare one and scans all of its ten thousand tokens for each of a patient's few
results (240 ms instead of 0.3 ms at 200,000 resources). A search's statements are planned
each time instead; planning costs about a millisecond."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def planned_each_time() -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    kept = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        yield
    finally:
        raw.prepare_threshold = kept
