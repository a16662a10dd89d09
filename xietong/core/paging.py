"""The paging parameters of every list the API answers, bounded here once. Unbounded, a
client asking to skip 2^63 items reached the database, which cannot hold the number and
failed with a server error; bounded, the schema answers 422 naming the parameter, and the
OpenAPI document shows each bound."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.params.functions import Query

# The most items one page may hold: larger pages are slow to build and to read.
LIMIT_MAX = 200
# Far beyond any list a person pages through, far below any database integer's range.
OFFSET_MAX = 10_000_000


def limit_field(*, default: int, most: int = LIMIT_MAX) -> Any:
    """`limit` as a field of a query schema."""
    return Field(default, ge=1, le=most, description=f"How many items to answer, 1 to {most}.")


def offset_field() -> Any:
    """`offset` as a field of a query schema."""
    return Field(0, ge=0, le=OFFSET_MAX, description="How many items to skip.")


def limit_query(*, default: int, most: int = LIMIT_MAX) -> Any:
    """`limit` as an operation's own argument, for operations without a query schema."""
    return Query(default, ge=1, le=most, description=f"How many items to answer, 1 to {most}.")


class PageIn(Schema):
    """A page of a list: operations' query schemas extend it with their filters, and may
    give `limit` another default or a lower ceiling through limit_field()."""

    limit: int = limit_field(default=50)
    offset: int = offset_field()
