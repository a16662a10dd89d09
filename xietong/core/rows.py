"""Reading the one row a unique key names."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import router
from django.db.models import Model, QuerySet

T = TypeVar("T", bound=Model)


def row_or_none(rows: QuerySet[T]) -> T | None:
    """The row of a query filtered on a unique key (a primary key, a UUID, a token's hash),
    or None. Unlike `first()` it sends no ORDER BY (not even the model's default ordering):
    there is one row at most, and compiling an ordering over a query's joined relations
    cost about a tenth of a request's Python."""
    found = list(rows.order_by()[:1])
    return found[0] if found else None


# What the row iterator reads off a compiler once the SQL is made.
_COMPILED = ("select", "klass_info", "annotation_col_map", "col_count", "has_extra_select")


@dataclasses.dataclass(frozen=True)
class _Plan:
    """What Django made of the query: its SQL and parameters, where the call's values sit
    among them, and the compiler's state the row iterator reads."""

    rows: QuerySet[Any]
    sql: str
    params: tuple[Any, ...]
    holes: tuple[int, ...]
    state: dict[str, Any]
    checked: bool = False


_NEVER = object()  # the query's shape changes between calls: compiled on every call


class RowQuery(Generic[T]):
    """A query whose shape is the same on every call (one row by a key, or the few rows of
    a parent), its SQL compiled once per process and database instead of on each call.

    Django turns a queryset into SQL each time it runs it; with several joined relations and
    a subquery that is 1-2 ms of Python, more than the database takes to answer, and the
    hottest lookups (the API token, on every API request) paid it every time. `build` makes
    the queryset from the call's values, which must be the only parameters that vary, given
    as the database takes them (a string, a number, an aware datetime). The first two calls
    run as Django compiles them; if both made the same SQL and their parameters differ only
    where the values sit, later calls reuse that SQL with their own values in place and skip
    `build`. A query that fails the check (a value computed inside `build`, a list whose
    length varies, a value the database layer converts) is compiled on every call."""

    def __init__(self, model: type[T], build: Callable[..., QuerySet[T]]) -> None:
        self._model = model
        self._build = build
        # Per database, number of values (a setting may add or drop a condition) and whether
        # one row or all are read.
        self._plans: dict[tuple[str, int, bool], _Plan | object] = {}

    def row(self, *values: Any) -> T | None:
        """The one row (the query filters on a unique key), or None; no ORDER BY."""
        found = self._read(values, one=True)
        return found[0] if found else None

    def rows(self, *values: Any) -> list[T]:
        """All the rows, in the order the query gives."""
        return self._read(values, one=False)

    def _read(self, values: tuple[Any, ...], *, one: bool) -> list[T]:
        key = (router.db_for_read(self._model), len(values), one)
        plan = self._plans.get(key)
        if isinstance(plan, _Plan) and plan.checked:
            given = list(plan.params)
            for hole, value in zip(plan.holes, values, strict=True):
                given[hole] = value
            return _read(plan.rows, plan.sql, tuple(given), plan.state)
        rows = self._build(*values)
        if one:
            rows = rows.order_by()[:1]
        compiler = rows.query.get_compiler(using=rows.db)
        sql, made = compiler.as_sql()
        params = tuple(made)
        state = {name: getattr(compiler, name) for name in _COMPILED}
        if plan is None:
            holes = _holes(params, values)
            self._plans[key] = _NEVER if holes is None else _Plan(rows, sql, params, holes, state)
        elif isinstance(plan, _Plan):
            same = (
                sql == plan.sql
                and len(params) == len(plan.params)
                and _holes(params, values) == plan.holes
                and all(
                    a == b
                    for i, (a, b) in enumerate(zip(params, plan.params, strict=True))
                    if i not in plan.holes
                )
            )
            self._plans[key] = dataclasses.replace(plan, checked=True) if same else _NEVER
        return _read(rows, sql, params, state)


def _holes(params: tuple[Any, ...], values: tuple[Any, ...]) -> tuple[int, ...] | None:
    """Where each value sits among the parameters, or None when one is not there exactly
    once (converted on the way, or equal to another parameter)."""
    holes = []
    for value in values:
        found = [i for i, p in enumerate(params) if type(p) is type(value) and p == value]
        if len(found) != 1:
            return None
        holes.append(found[0])
    return tuple(holes) if len(set(holes)) == len(holes) else None


def _read(rows: QuerySet[T], sql: str, params: tuple[Any, ...], state: dict[str, Any]) -> list[T]:
    """The rows, read by Django's own iterator from a compiler that answers `sql`: the
    instances, the related rows and the annotations come out as Django makes them."""
    run = rows.all()  # a fresh queryset: nothing is cached on the plan's
    compiler = run.query.get_compiler(using=run.db)
    for name, value in state.items():
        setattr(compiler, name, value)
    # Instance attributes, on this call's own compiler and query only.
    vars(compiler)["as_sql"] = lambda *_args, **_kwargs: (sql, params)
    vars(run.query)["get_compiler"] = lambda *_args, **_kwargs: compiler
    return list(run)
