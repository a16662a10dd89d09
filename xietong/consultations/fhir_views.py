"""GET /fhir/R4/ServiceRequest/{id} and GET /fhir/R4/Task?focus=ServiceRequest/{id}, for the
people who see the consultation (session or bearer token); everyone else gets 404."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from xietong.accounts.actors import actor_for_membership
from xietong.accounts.tokens import api_token_resolve
from xietong.core.actor import Actor
from xietong.core.errors import NotFound

from .fhir import searchset, service_request, tasks
from .selectors import get_consultation_for

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
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        token = api_token_resolve(header[7:].strip())
        return actor_for_membership(token.membership) if token else None
    return getattr(request, "actor", None)


@require_GET
def service_request_read(request: HttpRequest, consultation_uuid: str) -> HttpResponse:
    actor = _actor(request)
    if actor is None:
        return _outcome(401, "login", _("Sign in or send a bearer token."))
    try:
        c = get_consultation_for(actor=actor, consultation_uuid=consultation_uuid)
    except NotFound:
        return _outcome(404, "not-found", _("Not found."))
    return _answer(service_request(c))


@require_GET
def task_search(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if actor is None:
        return _outcome(401, "login", _("Sign in or send a bearer token."))
    focus = request.GET.get("focus", "")
    if not focus.startswith("ServiceRequest/"):
        return _outcome(400, "required", _("Search by focus=ServiceRequest/<id>."))
    base = request.build_absolute_uri("/fhir/R4/")
    try:
        c = get_consultation_for(actor=actor, consultation_uuid=focus.split("/", 1)[1])
    except NotFound:
        return _answer(searchset([], base))  # a search finds nothing rather than refusing
    return _answer(searchset(tasks(c), base))
