"""GET /fhir/R4/<type>/<id> and GET /fhir/R4/<type>?…, for a signed-in user or a bearer token.

Answers are FHIR JSON; refusals are OperationOutcome resources. A resource the actor may not
see answers 404 like a missing one; a search simply finds nothing there.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from xietong.accounts.api_auth import api_auth
from xietong.core.actor import Actor

from .registry import (
    fhir_read,
    fhir_search,
    fhir_search_params,
    fhir_system_interactions,
    fhir_types_readable,
    fhir_types_searchable,
)

FHIR_JSON = "application/fhir+json"


def _answer(body: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type=f"{FHIR_JSON}; charset=utf-8",
    )


def _outcome(status: int, code: str, text: str) -> HttpResponse:
    return _answer(
        {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": code, "diagnostics": text}],
        },
        status,
    )


def _actor(request: HttpRequest) -> Actor | None:
    """Who asks, resolved by the API's own authentication (a bearer token, or the signed-in
    session once its second factor is done), so both surfaces admit the same callers."""
    for auth in api_auth:
        actor = auth(request)
        if isinstance(actor, Actor):
            return actor
    return None


DEFAULT_COUNT = 50


def _page(request: HttpRequest, found: list[dict[str, Any]]) -> tuple[list[Any], list[Any]]:
    """A page of the matches (`_count`, 50 unless asked) and the links to it and to the next
    one. A searcher that pages reads `_count` and `_offset` itself and returns one match more
    than asked when there are more; the workflows' searchers find a handful and do not page."""
    try:
        count = max(0, int(request.GET.get("_count", DEFAULT_COUNT)))
        offset = max(0, int(request.GET.get("_offset", 0)))
    except ValueError:
        count, offset = DEFAULT_COUNT, 0
    links = [{"relation": "self", "url": request.build_absolute_uri()}]
    if len(found) > count:
        params = request.GET.copy()
        params["_offset"] = str(offset + count)
        links.append(
            {"relation": "next", "url": request.build_absolute_uri(f"?{params.urlencode()}")}
        )
    return found[:count], links


def _searchset(entries: list[dict[str, Any]], base: str, links: list[Any]) -> dict[str, Any]:
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset", "link": links}
    if not any(link["relation"] == "next" for link in links) and "_offset=" not in links[0]["url"]:
        bundle["total"] = len(entries)  # the page holds every match
    return {
        **bundle,
        "entry": [
            {
                "fullUrl": f"{base}{e['resourceType']}/{e['id']}",
                "resource": e,
                "search": {"mode": "match"},
            }
            for e in entries
        ],
    }


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@require_GET
def resource_read(request: HttpRequest, resource_type: str, resource_id: str) -> HttpResponse:
    actor = _actor(request)
    if actor is None:
        return _outcome(401, "login", _("Sign in or send a bearer token."))
    if resource_type not in fhir_types_readable():
        return _outcome(404, "not-supported", _("This resource type is not served here."))
    found = None
    if _is_uuid(resource_id):
        found = fhir_read(actor=actor, resource_type=resource_type, resource_id=resource_id)
    if found is None:
        return _outcome(404, "not-found", _("Not found."))
    return _answer(found)


@require_GET
def resource_search(request: HttpRequest, resource_type: str) -> HttpResponse:
    actor = _actor(request)
    if actor is None:
        return _outcome(401, "login", _("Sign in or send a bearer token."))
    if resource_type not in fhir_types_searchable():
        return _outcome(404, "not-supported", _("This resource type is not served here."))
    if not request.GET:
        return _outcome(400, "required", _("Give at least one search parameter."))
    found = fhir_search(actor=actor, resource_type=resource_type, params=request.GET)
    page, links = _page(request, found)
    return _answer(_searchset(page, request.build_absolute_uri("/fhir/R4/"), links))


@require_GET
def capability_statement(request: HttpRequest) -> HttpResponse:
    """GET /fhir/R4/metadata: what this server serves, from what the apps registered. Open to
    anyone, as FHIR clients ask it before they authenticate."""
    readable, searchable = fhir_types_readable(), fhir_types_searchable()
    resources = []
    for resource_type in sorted(readable | searchable):
        interactions = [{"code": "read"}] if resource_type in readable else []
        if resource_type in searchable:
            interactions.append({"code": "search-type"})
        params = fhir_search_params(resource_type)
        resource: dict[str, Any] = {"type": resource_type, "interaction": interactions}
        if params:
            resource["searchParam"] = [
                {"name": name, "type": kind} for name, kind in sorted(params.items())
            ]
        resources.append(resource)
    rest: dict[str, Any] = {
        "mode": "server",
        "security": {
            "description": "Bearer token (a person's API token, or a hospital gateway's "
            "secret for pushes) or the signed-in session."
        },
        "resource": resources,
    }
    if system := sorted(fhir_system_interactions()):
        rest["interaction"] = [{"code": code} for code in system]
    return _answer(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": timezone.now().date().isoformat(),
            "kind": "instance",
            "implementation": {
                "description": "Xietong regional collaborative care platform",
                "url": request.build_absolute_uri("/fhir/R4"),
            },
            "fhirVersion": "4.0.1",
            "format": ["json"],
            "rest": [rest],
        }
    )
