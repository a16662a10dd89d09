"""The statements ingest runs for every request or instance, written out: Django's query
building costs more than the statements themselves here (a STOW-RS request of one instance
ran a dozen). On PostgreSQL an instance's row and the counts of its series and study are one
statement (data-modifying WITH), so an association's instance into a series it already
met is one round trip, committed on its own; elsewhere they are an INSERT and an UPDATE per
series and per study in the caller's transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction

from ..models import Instance, Series, Study

# Rows per INSERT statement (SQLite allows 32,766 parameters: 15 columns a row).
INSERT_ROWS = 200
_COLUMNS = (
    "series_id", "study_id", "sop_instance_uid", "sop_class_uid", "instance_number", "rows",
    "columns", "number_of_frames", "transfer_syntax_uid", "metadata", "file", "size",
    "institution_id", "route", "received_at",
)  # fmt: skip


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def one_statement() -> bool:
    """Whether rows and counters are written by one statement (PostgreSQL)."""
    return connection.vendor == "postgresql"


def commit_flush_defer() -> bool:
    """From now on this connection's commits do not wait for their WAL to reach the disk
    (PostgreSQL's synchronous_commit off: a commit is as durable against a crash of our
    process, and visible, at once; a crash of the database's host may lose the last fraction
    of a second of them). Returns whether they do not (elsewhere they always wait)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    return True


def commits_flush() -> None:
    """Waits until every earlier commit of the connection is on disk, and has the later ones
    wait again: a transaction that takes an id commits with a flush of the WAL up to its own
    record, and so of every commit before it."""
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO on")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT txid_current()")


def study_row(uid: str, series_uid: str = "") -> tuple[Study | None, tuple[int, int] | None]:
    """The study's few columns ingest needs (an unsaved Study holding them), and with it,
    in the same statement, the series `series_uid` as series_row answers it; (None, None)
    when the study is not there."""
    series, study_table = _q(Series._meta.db_table), _q(Study._meta.db_table)
    of_series = f"FROM {series} WHERE series_instance_uid = %s"
    columns = f"id, uuid, institution_id, patient_id, (SELECT id {of_series}), "
    columns += f"(SELECT study_id {of_series})"
    sql = f"SELECT {columns} FROM {study_table} WHERE study_instance_uid = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [series_uid, series_uid, uid])
        found = cursor.fetchone()
    if found is None:
        return None, None
    pk, key, institution_id, patient_id, series_pk, series_study = found
    study = Study(pk=pk, uuid=key, study_instance_uid=uid, institution_id=institution_id,
                  patient_id=patient_id)  # fmt: skip
    return study, ((int(series_pk), int(series_study)) if series_pk is not None else None)


def series_row(uid: str) -> tuple[int, int] | None:
    """(series pk, its study's pk), or None."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, study_id FROM {_q(Series._meta.db_table)} "  # noqa: S608
            "WHERE series_instance_uid = %s",
            [uid],
        )
        found = cursor.fetchone()
    return (int(found[0]), int(found[1])) if found else None


def _insert_sql(count: int, counted: bool) -> str:
    """The statement for `count` rows; every name in it is the models' own."""
    one = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    table, columns = _q(Instance._meta.db_table), ", ".join(_q(c) for c in _COLUMNS)
    rows = ", ".join([one] * count)
    insert = f"INSERT INTO {table} ({columns}) VALUES {rows} "  # noqa: S608
    insert += "ON CONFLICT (sop_instance_uid) DO NOTHING "
    if not counted:
        return insert + "RETURNING sop_instance_uid"
    # What was inserted moves its series' and study's counts in the same statement; a
    # skipped row (a duplicate) moves nothing.
    series, study = _q(Series._meta.db_table), _q(Study._meta.db_table)
    added = f"WITH added AS ({insert}RETURNING sop_instance_uid, series_id, study_id), "
    by_series = f"by_series AS (UPDATE {series} AS s "
    by_study = f"by_study AS (UPDATE {study} AS s "
    return added + by_series + _BY_SERIES + by_study + _BY_STUDY


_BY_SERIES = (
    "SET instance_count = s.instance_count + a.n "
    "FROM (SELECT series_id, count(*) AS n FROM added GROUP BY series_id) AS a "
    "WHERE s.id = a.series_id), "
)
_BY_STUDY = (
    "SET instance_count = s.instance_count + a.n, updated_at = %s "
    "FROM (SELECT study_id, count(*) AS n FROM added GROUP BY study_id) AS a "
    "WHERE s.id = a.study_id) SELECT sop_instance_uid FROM added"
)


def rows_insert(values: Sequence[tuple[Any, ...]], at: Any) -> set[str]:
    """Inserts the rows (a SOP Instance UID already kept is skipped: another sender's,
    committed or not yet, whose insert this one waits for) and adds what was inserted to
    its series' and study's counts. Returns the UIDs inserted. `values` are in _COLUMNS'
    order; `at` is the time the studies were changed."""
    counted = one_statement()
    inserted: set[str] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(values), INSERT_ROWS):
            part = values[start : start + INSERT_ROWS]
            params = [v for row in part for v in row] + ([at] if counted else [])
            cursor.execute(_insert_sql(len(part), counted), params)
            inserted.update(uid for (uid,) in cursor.fetchall())
    if not counted:
        _counters_add(values, inserted, at)
    return inserted


def _counters_add(values: Sequence[tuple[Any, ...]], inserted: set[str], at: Any) -> None:
    """One statement per series and per study, in key order (two senders lock alike)."""
    series: Counter[int] = Counter()
    studies: Counter[int] = Counter()
    for row in values:
        if row[2] in inserted:
            series[row[0]] += 1
            studies[row[1]] += 1
    with connection.cursor() as cursor:
        for pk in sorted(series):
            cursor.execute(
                f"UPDATE {_q(Series._meta.db_table)} "  # noqa: S608
                "SET instance_count = instance_count + %s WHERE id = %s",
                [series[pk], pk],
            )
        for pk in sorted(studies):
            cursor.execute(
                f"UPDATE {_q(Study._meta.db_table)} "  # noqa: S608
                "SET instance_count = instance_count + %s, updated_at = %s WHERE id = %s",
                [studies[pk], at, pk],
            )
