"""Reading the one row a unique key names, and queries whose SQL is compiled once."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable
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

Holes = tuple[tuple[int, ...], ...]  # for each value, the parameters it fills


@dataclasses.dataclass(frozen=True)
class _Plan:
    """What Django made of the query: its SQL and parameters, the call's values and where
    they sit among the parameters, and the compiler's state the row iterator reads."""

    rows: QuerySet[Any]
    sql: str
    params: tuple[Any, ...]
    values: tuple[Any, ...]
    holes: Holes
    state: dict[str, Any]
    # The values (by position) a call may change: each was seen to change alone in place.
    proved: frozenset[int] = frozenset()

    def fits(self, values: tuple[Any, ...]) -> bool:
        """Whether a call with `values` may reuse the plan: some value is proved, and
        every value not proved is the first call's own."""
        return bool(self.proved) and all(
            i in self.proved or (type(a) is type(b) and a == b)
            for i, (a, b) in enumerate(zip(self.values, values, strict=True))
            if b is not None
        )


_NEVER = object()  # the query's shape changes between calls: compiled on every call


class RowQuery(Generic[T]):
    """A query whose shape is the same on every call (one row by a key, or the few rows of
    a parent), its SQL compiled once per process and database instead of on each call.

    Django turns a queryset into SQL each time it runs it; with several joined relations and
    a subquery that is 1-2 ms of Python, more than the database takes to answer, and the
    hottest reads (the API token on every API request, the row a workflow step holds) paid
    it every time. `build` makes the queryset from the call's values alone, and from
    `shape` when given (what changes the SQL itself, such as an actor's roles); the values
    must be the parameters as the database takes them (a string, a number, a UUID, an aware
    datetime), not something computed from them.

    The first call compiles as usual and notes where each value sits among the parameters.
    A later call whose values differ from the first one's compiles again and decides for
    the values that differ: if the SQL is the same and the parameters differ only where the
    values sit, those values are proved to go where they sit; if not (a value computed
    inside `build`, a list whose length varies, a value the database layer converts, as
    SQLite does with UUIDs and datetimes), the query is compiled on every call, as before.
    Once one value is proved, a call whose other values are the first call's puts its values
    in place and skips `build`: one API token sending every request (a PACS) has its key
    never change, only the time. Until then each call compiles."""

    def __init__(self, model: type[T], build: Callable[..., QuerySet[T]]) -> None:
        self._model = model
        self._build = build
        self._plans: dict[Hashable, _Plan | object] = {}

    def row(self, *values: Any, shape: Hashable = None) -> T | None:
        """The one row (the query filters on a unique key), or None; no ORDER BY."""
        found = self._read(values, shape, one=True)
        return found[0] if found else None

    def rows(self, *values: Any, shape: Hashable = None) -> list[T]:
        """All the rows, in the order the query gives."""
        return self._read(values, shape, one=False)

    def _read(self, values: tuple[Any, ...], shape: Hashable, *, one: bool) -> list[T]:
        # A None value is no parameter (IS NULL): which values are None is part of the shape.
        nones = tuple(v is None for v in values)
        key = (router.db_for_read(self._model), shape, nones, one)
        plan = self._plans.get(key)
        if isinstance(plan, _Plan) and plan.fits(values):
            given = list(plan.params)
            for places, value in zip(plan.holes, values, strict=True):
                for place in places:
                    given[place] = value
            return _read(plan.rows, plan.sql, tuple(given), plan.state)
        rows = self._build(*values) if shape is None else self._build(*values, shape=shape)
        if one:
            rows = rows.order_by()[:1]
        compiler = rows.query.get_compiler(using=rows.db)
        sql, made = compiler.as_sql()
        params = tuple(made)
        state = {name: getattr(compiler, name) for name in _COMPILED}
        holes = _holes(params, values)
        if plan is None and holes is not None:
            self._plans[key] = _Plan(rows, sql, params, values, holes, state)
        elif isinstance(plan, _Plan) and holes is not None:
            changed = _changed(plan.values, values)
            if changed and _same_but_values(plan, sql, params, holes, changed):
                self._plans[key] = dataclasses.replace(plan, proved=plan.proved | changed)
            elif changed:
                self._plans[key] = _NEVER
        return _read(rows, sql, params, state)


def _holes(params: tuple[Any, ...], values: tuple[Any, ...]) -> Holes | None:
    """The parameters each value fills (none, when this shape does not use it), or None
    when two values fill the same one (equal by chance: the call cannot tell them apart)."""
    holes = tuple(
        tuple(
            i
            for i, p in enumerate(params)
            if value is not None and type(p) is type(value) and p == value
        )
        for value in values
    )
    taken = [i for places in holes for i in places]
    return holes if len(taken) == len(set(taken)) else None


def _changed(first: tuple[Any, ...], now: tuple[Any, ...]) -> frozenset[int]:
    """The values that changed since the first call: only for these does a parameter that
    stayed put show that it is not made from them (a value that kept its place proves
    nothing about it, and stays the first call's until a call changes it)."""
    return frozenset(
        i for i, (a, b) in enumerate(zip(first, now, strict=True)) if a is not None and a != b
    )


def _same_but_values(
    plan: _Plan, sql: str, params: tuple[Any, ...], holes: Holes, changed: frozenset[int]
) -> bool:
    """Whether the call's SQL is the plan's and its parameters differ only where the changed
    values sit (the others hold the first call's values where they sit too)."""
    filled = {i for n, places in enumerate(plan.holes) if n in changed for i in places}
    return (
        sql == plan.sql
        and holes == plan.holes
        and len(params) == len(plan.params)
        and all(
            a == b
            for i, (a, b) in enumerate(zip(params, plan.params, strict=True))
            if i not in filled
        )
    )


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
