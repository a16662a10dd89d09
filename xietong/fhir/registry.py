"""Which app answers for which FHIR resource type.

Several apps serve the same resource type (a consultation and a referral are both a
ServiceRequest), and their ids are UUIDs, so a read asks each registered reader in turn and the
first that knows the id answers. A search gathers what every searcher finds. A reader or
searcher decides visibility itself: "not mine" and "not yours" are both None / nothing found.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from xietong.core.actor import Actor

Resource = dict[str, Any]

DEFAULT_COUNT = 50
MAX_COUNT = 200
# How deep a search answered by several searchers pages (ADR 32): each is asked for its
# first `_offset + _count` matches, which are merged in the order asked.
MERGED_DEPTH = 1000


@dataclass(frozen=True)
class SearchPage:
    """A page a searcher cut itself from `_count` and `_offset` (search_window): its matches,
    how many match in all (None when the client said `_total=none` and the page does not
    tell), whether more follow, and the resources `_include` brought along."""

    matches: list[Resource]
    total: int | None
    more: bool
    included: list[Resource] = field(default_factory=list)


class SearchRefused(Exception):
    """A search or operation asked for something not served (an `_include` or `_sort` we do
    not know): the text, in the reader's language, goes back in an OperationOutcome."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


Reader = Callable[[Actor, str], Resource | None]
# A searcher that finds a handful returns them all, and the view cuts the page; one that may
# find thousands pages itself and returns a SearchPage.
Searcher = Callable[[Actor, QueryDict], list[Resource] | SearchPage]
# An operation on one resource (`Patient/<id>/$everything`): a page, or None for an id that
# is missing or not the reader's (404 alike).
Operation = Callable[[Actor, str, QueryDict], SearchPage | None]

_readers: dict[str, list[Reader]] = {}
_searchers: dict[str, list[Searcher]] = {}
# Search parameter name -> FHIR type, per resource type, and the interactions on the base
# (batch, transaction): what the CapabilityStatement declares.
_search_params: dict[str, dict[str, str]] = {}
# `_include` values and documentation per type, and instance operations per type (name ->
# (canonical OperationDefinition, the code)).
# What each searcher answers: a search naming a parameter it does not serve is not its
# to answer (it finds nothing there, rather than ignoring the condition).
_searcher_params: dict[Searcher, frozenset[str]] = {}
# The date `_sort=date` orders by, per type, for merging the pages of several searchers.
_sort_dates: dict[str, Callable[[Resource], dt.datetime | None]] = {}
_search_includes: dict[str, list[str]] = {}
_search_notes: dict[str, str] = {}
_operations: dict[str, dict[str, tuple[str, Operation]]] = {}
_system_interactions: set[str] = set()


def fhir_read_register(resource_type: str, reader: Reader) -> None:
    if reader not in _readers.setdefault(resource_type, []):
        _readers[resource_type].append(reader)


def fhir_search_register(
    resource_type: str,
    searcher: Searcher,
    params: dict[str, str] | None = None,
    *,
    includes: list[str] | None = None,
    note: str = "",
    sort_date: Callable[[Resource], dt.datetime | None] | None = None,
) -> None:
    if searcher not in _searchers.setdefault(resource_type, []):
        _searchers[resource_type].append(searcher)
    _searcher_params[searcher] = frozenset(params or {})
    _search_params.setdefault(resource_type, {}).update(params or {})
    if sort_date is not None:
        _sort_dates.setdefault(resource_type, sort_date)
    known = _search_includes.setdefault(resource_type, [])
    known.extend(i for i in includes or [] if i not in known)
    if note and note not in _search_notes.get(resource_type, ""):
        _search_notes[resource_type] = " ".join(
            filter(None, [_search_notes.get(resource_type), note])
        )


def fhir_operation_register(
    resource_type: str, name: str, operation: Operation, *, definition: str
) -> None:
    _operations.setdefault(resource_type, {})[name] = (definition, operation)


def fhir_system_interactions_register(*codes: str) -> None:
    _system_interactions.update(codes)


def fhir_search_params(resource_type: str) -> dict[str, str]:
    return dict(_search_params.get(resource_type, {}))


def fhir_search_includes(resource_type: str) -> list[str]:
    return list(_search_includes.get(resource_type, []))


def fhir_search_note(resource_type: str) -> str:
    return _search_notes.get(resource_type, "")


def fhir_operations(resource_type: str) -> dict[str, str]:
    """Name -> canonical definition of the operations served on one resource of the type."""
    return {name: d for name, (d, _op) in _operations.get(resource_type, {}).items()}


def fhir_system_interactions() -> set[str]:
    return set(_system_interactions)


def fhir_types_readable() -> set[str]:
    return set(_readers)


def fhir_types_searchable() -> set[str]:
    return set(_searchers)


def fhir_read(*, actor: Actor, resource_type: str, resource_id: str) -> Resource | None:
    for reader in _readers.get(resource_type, []):
        found = reader(actor, resource_id)
        if found is not None:
            return found
    return None


# The window a merged search asks each searcher for, in place of the client's.
_merged_window: contextvars.ContextVar[tuple[int, int] | None] = contextvars.ContextVar(
    "fhir_merged_window", default=None
)


@contextmanager
def _window(count: int) -> Iterator[None]:
    token = _merged_window.set((count, 0))
    try:
        yield
    finally:
        _merged_window.reset(token)


def search_window(params: QueryDict) -> tuple[int, int]:
    """(`_count`, `_offset`): 50 unless asked, at most 200; 0 asks for the total alone. Inside
    a merged search, the first `_offset + _count` matches of each searcher."""
    if (merged := _merged_window.get()) is not None:
        return merged
    try:
        count = max(0, min(MAX_COUNT, int(params.get("_count", DEFAULT_COUNT))))
        offset = max(0, int(params.get("_offset", 0)))
    except ValueError:
        return DEFAULT_COUNT, 0
    return count, offset


def _answers(searcher: Searcher, resource_type: str, params: QueryDict) -> bool:
    """False when the search names a parameter the type serves but this searcher does not
    (it cannot answer the condition). What no searcher declares is ignored, as before."""
    served = _searcher_params.get(searcher, frozenset())
    declared = _search_params.get(resource_type, {})
    return all(k in served for k in params if k in declared)


def fhir_search(*, actor: Actor, resource_type: str, params: QueryDict) -> SearchPage:
    """What every searcher of the type finds, as one page. A searcher that does not serve a
    parameter asked finds nothing. One searcher answering pages itself (or finds a handful,
    cut here); several are merged in the order asked (ADR 32)."""
    count, offset = search_window(params)
    searchers = [s for s in _searchers.get(resource_type, []) if _answers(s, resource_type, params)]
    if len(searchers) > 1:
        return _merged(actor, resource_type, params, searchers, count=count, offset=offset)
    if not searchers:
        return SearchPage(matches=[], total=0, more=False)
    found = searchers[0](actor, params)
    if isinstance(found, SearchPage):
        return found
    return SearchPage(
        matches=found[offset : offset + count], total=len(found), more=len(found) > offset + count
    )


def search_sort_keys(params: QueryDict) -> list[str]:
    """`_sort` as asked (date and _lastUpdated, `-` for newest first), -date unless asked."""
    keys = [k for v in params.getlist("_sort") for k in v.split(",") if k] or ["-date"]
    for key in keys:
        if key.removeprefix("-") not in ("date", "_lastUpdated"):
            raise SearchRefused(
                _("Sorting by %(key)s is not served; sort by date or _lastUpdated.") % {"key": key}
            )
    return keys


def _instant(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _merged(
    actor: Actor,
    resource_type: str,
    params: QueryDict,
    searchers: list[Searcher],
    *,
    count: int,
    offset: int,
) -> SearchPage:
    """Each searcher's first `_offset + _count` matches, merged by `_sort` (undated last),
    then cut: the total is the sum of theirs."""
    keys = search_sort_keys(params)
    depth = offset + count
    if depth > MERGED_DEPTH:
        raise SearchRefused(
            _("Page no deeper than %(depth)s results here; narrow the search.")
            % {"depth": MERGED_DEPTH}
        )
    pages: list[SearchPage] = []
    with _window(depth):
        for searcher in searchers:
            found = searcher(actor, params)
            if not isinstance(found, SearchPage):
                found = SearchPage(found[:depth], total=len(found), more=len(found) > depth)
            pages.append(found)
    # Each searcher's own order breaks ties (the sort is stable), so pages never overlap.
    matches = [r for p in pages for r in p.matches]
    date_of = _sort_dates.get(resource_type, lambda r: None)
    for key in reversed(keys):
        name = key.removeprefix("-")
        sign = -1 if key.startswith("-") else 1

        def when(r: Resource, name: str = name, sign: int = sign) -> tuple[bool, float]:
            at = date_of(r) if name == "date" else _instant(r.get("meta", {}).get("lastUpdated"))
            return (at is None, sign * at.timestamp() if at else 0.0)

        matches.sort(key=when)
    totals = [p.total for p in pages]
    shown = matches[offset:depth]
    # What `_include` brought, for the matches shown only (each searcher fetched more).
    named = {
        ref.get("reference") for r in shown for ref in (r.get("subject"), r.get("patient")) if ref
    }
    return SearchPage(
        matches=shown,
        total=None if None in totals else sum(t or 0 for t in totals),
        more=len(matches) > depth or any(p.more for p in pages),
        included=[
            r for p in pages for r in p.included if f"{r['resourceType']}/{r['id']}" in named
        ],
    )


def fhir_operation(
    *, actor: Actor, resource_type: str, resource_id: str, name: str, params: QueryDict
) -> SearchPage | None:
    """Runs `<type>/<id>/$<name>`; None when the type serves no such operation or the id is
    missing or not the reader's."""
    served = _operations.get(resource_type, {}).get(name)
    return served[1](actor, resource_id, params) if served else None
