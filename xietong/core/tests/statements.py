"""Statement budgets for query-count tests: how many SQL statements an operation sends.

Savepoints are left out of the count: a test runs inside a transaction, where the
operation's own `transaction.atomic()` becomes SAVEPOINT/RELEASE, while in production it is
BEGIN/COMMIT around the same work. What is counted is the work itself.

So is the audit chain's head: PostgreSQL takes and reads it in one UPDATE … RETURNING,
SQLite reads it by a SELECT of its own before the UPDATE (core/audit.py). That SELECT is left
out, so an audit record costs two statements on both and a budget holds on both."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext

BOOKKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT")


@dataclass
class Statements:
    sql: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.sql)

    def listing(self) -> str:
        return "\n".join(f"{n}. {s[:300]}" for n, s in enumerate(self.sql, 1))


def _sqlite_chain_head_read(sql: str) -> bool:
    return connection.vendor == "sqlite" and sql.startswith('SELECT "core_audithead"')


@contextmanager
def statements_counted() -> Iterator[Statements]:
    """The statements the block sends, as a budget counts them (no bookkeeping)."""
    found = Statements()
    with CaptureQueriesContext(connection) as captured:
        yield found
    found.sql = [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].upper().startswith(BOOKKEEPING) and not _sqlite_chain_head_read(q["sql"])
    ]


@contextmanager
def statements_at_most(budget: int) -> Iterator[Statements]:
    """Fails when the block sends more than `budget` statements, listing them."""
    with statements_counted() as found:
        yield found
    assert len(found) <= budget, (
        f"{len(found)} statements, the budget is {budget}:\n{found.listing()}"
    )
