"""Sortable columns of a list: each sortable header is a link that sorts by its column
(`?sort=key`, then `?sort=-key` the other way), kept with the list's filters; the list's
selector order stays the default and breaks ties. Only the keys a page declares are read,
each mapped to fields of its query, so a typed-in `sort` sorts by nothing else."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Case, F, OrderBy, QuerySet, When
from django.http import QueryDict

Model = TypeVar("Model")
# A column's key -> the expressions that sort it (names of fields, or expressions).
Columns = Mapping[str, Sequence[Any]]


@dataclass(frozen=True)
class Sorting:
    key: str  # the column sorted by ("" for the list's own order)
    descending: bool
    others: str  # the list's other parameters as a query string (no sort, no page)

    def state(self, key: str) -> str:
        """aria-sort of the column `key`."""
        if key != self.key:
            return "none"
        return "descending" if self.descending else "ascending"

    def link(self, key: str) -> str:
        """The query string that sorts by `key`: ascending first, then the other way."""
        wanted = f"-{key}" if key == self.key and not self.descending else key
        return f"{self.others}&sort={wanted}" if self.others else f"sort={wanted}"


def sorting_read(params: QueryDict, *, columns: Columns) -> Sorting:
    others = params.copy()
    others.pop("page", None)
    asked = others.pop("sort", [""])[-1]
    key = asked.removeprefix("-")
    if key not in columns:
        return Sorting(key="", descending=False, others=others.urlencode())
    return Sorting(key=key, descending=asked.startswith("-"), others=others.urlencode())


def sorted_rows(rows: QuerySet[Any], sorting: Sorting, *, columns: Columns) -> QuerySet[Any]:
    """`rows` sorted by the chosen column, then in their own order (and by key, so that
    pages do not overlap when many rows tie)."""
    if not sorting.key:
        return rows
    first: list[OrderBy] = []
    for expression in columns[sorting.key]:
        value = F(expression) if isinstance(expression, str) else expression
        first.append(
            value.desc(nulls_last=True) if sorting.descending else value.asc(nulls_last=True)
        )
    return rows.order_by(*first, *rows.query.order_by, "pk")


def most_urgent_first(field: str = "urgency") -> Case:
    """The workflows' urgency codes (emergency, urgent, routine), most urgent first when
    sorted ascending; as text they would sort the other way round."""
    return Case(When(**{field: "emergency"}, then=0), When(**{field: "urgent"}, then=1),
                default=2)  # fmt: skip
