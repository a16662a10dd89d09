"""One consistent view of several tables while other connections keep writing to them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def read_snapshot() -> Iterator[None]:
    """Every read inside sees the database as of one moment.

    On PostgreSQL that is a REPEATABLE READ transaction, whose snapshot is taken at its
    first query. On SQLite it is one deferred (read) transaction, which in WAL mode sees the
    commits made before its first read and none after, and lets writers go on meanwhile.
    Inside a transaction the caller already holds, that transaction is the snapshot."""
    if connection.in_atomic_block:
        yield
    elif connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        with _sqlite_deferred():
            yield
    else:
        with transaction.atomic():
            yield


@contextmanager
def _sqlite_deferred() -> Iterator[None]:
    # The embedded settings begin every transaction IMMEDIATE, which takes the write lock:
    # a long read would stop every audited write until it ended. Only this BEGIN is deferred.
    connection.ensure_connection()
    mode = getattr(connection, "transaction_mode", None)
    connection.transaction_mode = "DEFERRED"  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            connection.transaction_mode = mode  # type: ignore[attr-defined]
            yield
    finally:
        connection.transaction_mode = mode  # type: ignore[attr-defined]
