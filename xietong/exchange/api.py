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


class HeartbeatOut(Schema):
    ok: bool
    server_time: dt.datetime


@router.post(
    "/heartbeat",
    auth=GatewayBearer(),
    response={200: HeartbeatOut, 401: ErrorOut},
    summary="A gateway says how it is (queue, oldest waiting, last success, errors).",
)
def heartbeat(request: HttpRequest, payload: HeartbeatIn) -> dict[str, Any]:
    gateway: Gateway = request.auth  # type: ignore[attr-defined]
    now = gateway_heartbeat_record(gateway=gateway, **payload.dict())
    return {"ok": True, "server_time": now}
