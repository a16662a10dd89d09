"""Which app answers for which FHIR resource type.

Several apps serve the same resource type (a consultation and a referral are both a
ServiceRequest), and their ids are UUIDs, so a read asks each registered reader in turn and the
first that knows the id answers. A search gathers what every searcher finds. A reader or
searcher decides visibility itself: "not mine" and "not yours" are both None / nothing found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from xietong.core.actor import Actor

Resource = dict[str, Any]

DEFAULT_COUNT = 50
MAX_COUNT = 200


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
) -> None:
    if searcher not in _searchers.setdefault(resource_type, []):
        _searchers[resource_type].append(searcher)
    _search_params.setdefault(resource_type, {}).update(params or {})
    known = _search_includes.setdefault(resource_type, [])
    known.extend(i for i in includes or [] if i not in known)
    if note:
        _search_notes[resource_type] = note


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


def search_window(params: QueryDict) -> tuple[int, int]:
    """(`_count`, `_offset`): 50 unless asked, at most 200; 0 asks for the total alone."""
    try:
        count = max(0, min(MAX_COUNT, int(params.get("_count", DEFAULT_COUNT))))
        offset = max(0, int(params.get("_offset", 0)))
    except ValueError:
        return DEFAULT_COUNT, 0
    return count, offset


def fhir_search(*, actor: Actor, resource_type: str, params: QueryDict) -> SearchPage:
    """What every searcher of the type finds, as one page. Each type served today has one
    searcher that pages (the pushed types) or searchers that find a handful (Task): a list is
    cut here, and pages are put side by side."""
    count, offset = search_window(params)
    listed: list[Resource] = []
    pages: list[SearchPage] = []
    for searcher in _searchers.get(resource_type, []):
        found = searcher(actor, params)
        if isinstance(found, SearchPage):
            pages.append(found)
        else:
            listed.extend(found)
    if listed or not pages:
        pages.append(
            SearchPage(
                matches=listed[offset : offset + count],
                total=len(listed),
                more=len(listed) > offset + count,
            )
        )
    totals = [p.total for p in pages]
    return SearchPage(
        matches=[r for p in pages for r in p.matches],
        total=None if None in totals else sum(t or 0 for t in totals),
        more=any(p.more for p in pages),
        included=[r for p in pages for r in p.included],
    )


def fhir_operation(
    *, actor: Actor, resource_type: str, resource_id: str, name: str, params: QueryDict
) -> SearchPage | None:
    """Runs `<type>/<id>/$<name>`; None when the type serves no such operation or the id is
    missing or not the reader's."""
    served = _operations.get(resource_type, {}).get(name)
    return served[1](actor, resource_id, params) if served else None
