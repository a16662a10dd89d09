"""Business numbers: PREFIX-YYYYMMDD-NNNN, one counter per prefix and day.

The counter row is inserted or incremented by one statement (INSERT … ON CONFLICT DO UPDATE …
RETURNING, on PostgreSQL and SQLite alike), which holds the row's lock until the
transaction ends, so two requests at once never get the same number."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from xietong.core.models import BusinessCounter


def business_number_next(*, prefix: str, day: dt.date) -> str:
    """The next number of the day for `prefix` ("HZ" for consultations, "ZZ" for referrals)."""
    table = connection.ops.quote_name(BusinessCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (prefix, day, last) VALUES (%s, %s, 1) "  # noqa: S608 (our table's name)
            f"ON CONFLICT (prefix, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [prefix, day.isoformat()],
        )
        row = cursor.fetchone()
    assert row is not None  # RETURNING always answers one row
    return f"{prefix}-{day:%Y%m%d}-{row[0]:04d}"
