"""GET /fhir/R4/<type>/<id> and GET /fhir/R4/<type>?…, for a signed-in user or a bearer token.

Answers are FHIR JSON; refusals are OperationOutcome resources. A resource the actor may not
see answers 404 like a missing one; a search simply finds nothing there.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from xietong.accounts.api_auth import api_auth
from xietong.core.actor import Actor

from .registry import fhir_read, fhir_search, fhir_types_readable, fhir_types_searchable

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


def _searchset(entries: list[dict[str, Any]], base: str) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(entries),
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
    return _answer(_searchset(found, request.build_absolute_uri("/fhir/R4/")))
