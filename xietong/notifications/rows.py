"""The in-app rows of a notification, written in one statement.

Every workflow step tells someone, so what a step costs includes this. Reading the users
to skip the inactive ones and then inserting the rows would be two statements; one
INSERT … SELECT joins the ids given to the active accounts and writes a row for each, on
SQLite and PostgreSQL alike (both name a VALUES list's columns column1, column2, …)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from .models import Notification


def in_app_rows_insert(
    *,
    user_ids: Iterable[int],
    kind: str,
    title: str,
    body: str,
    translations: dict[str, Any],
    url: str,
    subject_type: str,
    subject_id: str,
) -> list[int]:
    """A row for each active user among `user_ids` (unknown ids are skipped); returns the
    ids of the users who got one."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    q = connection.ops.quote_name
    meta = Notification._meta
    users = get_user_model()._meta
    fields = {f.name: f for f in meta.concrete_fields}
    uuid_field = fields["uuid"]
    column = {name: q(fields[name].column) for name in (
        "uuid", "recipient", "kind", "title", "body", "translations", "url", "subject_type",
        "subject_id", "created_at",
    )}  # fmt: skip
    pairs = ", ".join(["(%s, %s)"] * len(ids))
    user_pk, active = q(users.pk.column), q(users.get_field("is_active").column)
    sql = (
        f"INSERT INTO {q(meta.db_table)} ({', '.join(column.values())}) "  # noqa: S608
        f"SELECT v.column1, u.{user_pk}, %s, %s, %s, %s, %s, %s, %s, %s "
        f"FROM (VALUES {pairs}) AS v "
        f"JOIN {q(users.db_table)} u ON u.{user_pk} = v.column2 "
        f"WHERE u.{active} RETURNING {column['recipient']}"
    )
    now = fields["created_at"].get_db_prep_save(timezone.now(), connection)
    stored_translations = fields["translations"].get_db_prep_save(translations, connection)
    params: list[Any] = [
        kind[:60], title[:200], body, stored_translations, url[:500], subject_type[:40],
        subject_id[:64], now,
    ]  # fmt: skip
    for user_id in ids:
        params += [uuid_field.get_db_prep_save(uuid.uuid4(), connection), user_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(row[0] for row in cursor.fetchall())
