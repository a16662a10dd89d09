"""The gateway's heartbeat: POST /api/v1/exchange/heartbeat, with the gateway's secret."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.security import HttpBearer

from xietong.core.api import ErrorOut

from .gateways import gateway_for_secret, gateway_heartbeat_record
from .models import Gateway
from .outgoing.services import gateway_push_announce


class GatewayBearer(HttpBearer):
    """The secret the platform issued a hospital's gateway (not a person's API token)."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return gateway_for_secret(token)


router = Router(tags=["exchange"])


class HeartbeatIn(Schema):
    queue_depth: int = Field(ge=0)
    oldest_waiting_s: float | None = Field(default=None, ge=0)
    last_success_at: dt.datetime | None = None
    errors_last_hour: int = Field(ge=0)
    version: str = Field(max_length=40)
    # Where the gateway takes the platform's pushes, and which kinds (ADR 27); absent when
    # its inbound endpoint is not configured.
    inbound_url: str | None = Field(default=None, max_length=300)
    inbound_kinds: list[str] | None = None


class HeartbeatOut(Schema):
    ok: bool
    server_time: dt.datetime


@router.post(
    "/heartbeat",
    auth=GatewayBearer(),
    response={200: HeartbeatOut, 401: ErrorOut, 422: ErrorOut},
    summary="A gateway says how it is (queue, oldest waiting, last success, errors).",
)
def heartbeat(request: HttpRequest, payload: HeartbeatIn) -> dict[str, Any]:
    gateway: Gateway = request.auth  # type: ignore[attr-defined]
    values = payload.dict()
    inbound_url, inbound_kinds = values.pop("inbound_url"), values.pop("inbound_kinds")
    if inbound_url is not None:
        gateway_push_announce(gateway=gateway, url=inbound_url, kinds=inbound_kinds)
    now = gateway_heartbeat_record(gateway=gateway, **values)
    return {"ok": True, "server_time": now}
