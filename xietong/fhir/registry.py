"""Which app answers for which FHIR resource type.

Several apps serve the same resource type (a consultation and a referral are both a
ServiceRequest), and their ids are UUIDs, so a read asks each registered reader in turn and the
first that knows the id answers. A search gathers what every searcher finds. A reader or
searcher decides visibility itself: "not mine" and "not yours" are both None / nothing found.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import QueryDict

from xietong.core.actor import Actor

Resource = dict[str, Any]
Reader = Callable[[Actor, str], Resource | None]
Searcher = Callable[[Actor, QueryDict], list[Resource]]

_readers: dict[str, list[Reader]] = {}
_searchers: dict[str, list[Searcher]] = {}
# Search parameter name -> FHIR type, per resource type, and the interactions on the base
# (batch, transaction): what the CapabilityStatement declares.
_search_params: dict[str, dict[str, str]] = {}
_system_interactions: set[str] = set()


def fhir_read_register(resource_type: str, reader: Reader) -> None:
    if reader not in _readers.setdefault(resource_type, []):
        _readers[resource_type].append(reader)


def fhir_search_register(
    resource_type: str, searcher: Searcher, params: dict[str, str] | None = None
) -> None:
    if searcher not in _searchers.setdefault(resource_type, []):
        _searchers[resource_type].append(searcher)
    _search_params.setdefault(resource_type, {}).update(params or {})


def fhir_system_interactions_register(*codes: str) -> None:
    _system_interactions.update(codes)


def fhir_search_params(resource_type: str) -> dict[str, str]:
    return dict(_search_params.get(resource_type, {}))


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


def fhir_search(*, actor: Actor, resource_type: str, params: QueryDict) -> list[Resource]:
    found: list[Resource] = []
    for searcher in _searchers.get(resource_type, []):
        found.extend(searcher(actor, params))
    return found
