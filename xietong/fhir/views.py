"""GET /fhir/R4/<type>/<id>, GET /fhir/R4/<type>?… and GET /fhir/R4/<type>/<id>/$<operation>,
for a signed-in user or a bearer token.

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
    SearchPage,
    SearchRefused,
    fhir_operation,
    fhir_operations,
    fhir_read,
    fhir_search,
    fhir_search_includes,
    fhir_search_note,
    fhir_search_params,
    fhir_system_interactions,
    fhir_types_readable,
    fhir_types_searchable,
    search_window,
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


def _searchset(request: HttpRequest, page: SearchPage) -> dict[str, Any]:
    """The page as a searchset Bundle: its matches, then what `_include` brought (mode
    "include", not counted in `total`), a link to itself and one to the next page when more
    follow. `total` is every match, not the page's: the searcher counted them, or the page
    itself tells (nothing follows it); with `_total=none` and more to come it is left out."""
    count, offset = search_window(request.GET)
    links = [{"relation": "self", "url": request.build_absolute_uri()}]
    # `_count=0` asks for the total alone: no page follows it.
    more = count > 0 and (page.more or (page.total is not None and offset + count < page.total))
    if more:
        params = request.GET.copy()
        params["_offset"] = str(offset + count)
        links.append(
            {"relation": "next", "url": request.build_absolute_uri(f"?{params.urlencode()}")}
        )
    total = page.total if page.total is not None or more else offset + len(page.matches)
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset", "link": links}
    if total is not None:
        bundle["total"] = total
    base = request.build_absolute_uri("/fhir/R4/")
    bundle["entry"] = [
        {
            "fullUrl": f"{base}{e['resourceType']}/{e['id']}",
            "resource": e,
            "search": {"mode": mode},
        }
        for mode, entries in (("match", page.matches), ("include", page.included))
        for e in entries
    ]
    return bundle


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
    try:
        page = fhir_search(actor=actor, resource_type=resource_type, params=request.GET)
    except SearchRefused as refused:
        return _outcome(400, "not-supported", refused.text)
    return _answer(_searchset(request, page))


@require_GET
def resource_operation(
    request: HttpRequest, resource_type: str, resource_id: str, operation: str
) -> HttpResponse:
    """GET /fhir/R4/<type>/<id>/$<operation> (`Patient/<id>/$everything`): a searchset page,
    404 when the id is missing or not the reader's alike."""
    actor = _actor(request)
    if actor is None:
        return _outcome(401, "login", _("Sign in or send a bearer token."))
    if operation not in fhir_operations(resource_type):
        return _outcome(404, "not-supported", _("This operation is not served here."))
    page = None
    if _is_uuid(resource_id):
        try:
            page = fhir_operation(
                actor=actor, resource_type=resource_type, resource_id=resource_id,
                name=operation, params=request.GET,
            )  # fmt: skip
        except SearchRefused as refused:
            return _outcome(400, "not-supported", refused.text)
    if page is None:
        return _outcome(404, "not-found", _("Not found."))
    return _answer(_searchset(request, page))


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
        if note := fhir_search_note(resource_type):
            resource["documentation"] = note
        if includes := fhir_search_includes(resource_type):
            resource["searchInclude"] = includes
        if params:
            resource["searchParam"] = [
                {"name": name, "type": kind} for name, kind in sorted(params.items())
            ]
        if operations := fhir_operations(resource_type):
            resource["operation"] = [
                {"name": name, "definition": definition}
                for name, definition in sorted(operations.items())
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
