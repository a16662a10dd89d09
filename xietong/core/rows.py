"""Reading the one row a unique key names."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

T = TypeVar("T", bound=Model)


def row_or_none(rows: QuerySet[T]) -> T | None:
    """The row of a query filtered on a unique key (a primary key, a UUID, a token's hash),
    or None. Unlike `first()` it sends no ORDER BY (not even the model's default ordering):
    there is one row at most, and compiling an ordering over a query's joined relations
    cost about a tenth of a request's Python."""
    found = list(rows.order_by()[:1])
    return found[0] if found else None
