"""POST /fhir/R4: where a hospital's gateway pushes its Bundles (the contract in
docs/adr/0026-data-exchange.md). The gateway authenticates with its own bearer secret; no
session, so no CSRF token."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .gateways import gateway_for_authorization
from .push.apply import bundle_push
from .push.edge import MAX_BYTES
from .push.outcome import Refusal

FHIR_JSON = "application/fhir+json"


def _answer(status: int, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type=f"{FHIR_JSON}; charset=utf-8",
    )


def _refused(refusal: Refusal) -> HttpResponse:
    return _answer(refusal.status, refusal.outcome())


@csrf_exempt
@require_POST
def bundle_receive(request: HttpRequest) -> HttpResponse:
    gateway = gateway_for_authorization(request.headers.get("authorization", ""))
    if gateway is None:
        return _refused(
            Refusal(401, "login", _("Send the gateway's secret as Authorization: Bearer."))
        )
    media = request.content_type or ""
    if media not in (FHIR_JSON, "application/json"):
        return _refused(
            Refusal(415, "not-supported", _("Send the Bundle as %(type)s."), {"type": FHIR_JSON})
        )
    too_big = Refusal(
        413, "too-costly", _("A Bundle is at most %(limit)s bytes (5 MB)."), {"limit": MAX_BYTES}
    )
    try:
        declared = int(request.headers.get("content-length") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BYTES:
        return _refused(too_big)
    # Read from the stream, not request.body: the site-wide upload limit is not this one.
    raw = request.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        return _refused(too_big)
    status, body = bundle_push(gateway=gateway, raw=raw)
    return _answer(status, body)
