"""Gateways: registered by the platform administrator, revoked, and their heartbeat."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from xietong.accounts.tests.factories import make_actor
from xietong.core.errors import NotPermitted
from xietong.core.models import AuditEvent
from xietong.patients.tests.factories import an_institution

from ..gateways import gateway_for_secret, gateway_register, gateway_revoke
from ..models import Gateway
from .factories import make_gateway

pytestmark = pytest.mark.django_db

BEAT = {
    "queue_depth": 12,
    "oldest_waiting_s": 30.5,
    "last_success_at": "2026-12-05T08:00:00+08:00",
    "errors_last_hour": 2,
    "version": "0.1.0",
}


def _beat(secret: str, body: object = BEAT) -> object:
    return Client().post(
        "/api/v1/exchange/heartbeat", json.dumps(body), content_type="application/json",
        headers={"authorization": f"Bearer {secret}"},
    )  # fmt: skip


def test_the_secret_is_shown_once_and_only_its_hash_kept() -> None:
    gateway, secret = make_gateway()
    assert secret.startswith("xg_") and len(secret) > 40
    assert secret not in gateway.secret_hash
    assert gateway_for_secret(secret) == gateway
    assert AuditEvent.objects.filter(action="gateway.register").count() == 1


def test_only_the_platform_administrator_registers_a_gateway() -> None:
    doctor = make_actor("requester")
    with pytest.raises(NotPermitted):
        gateway_register(actor=doctor, institution_id=an_institution().pk, name="x")
    assert not Gateway.objects.exists()


def test_the_heartbeat_is_kept_and_answered_with_the_platform_time() -> None:
    gateway, secret = make_gateway()

    response = _beat(secret)

    assert response.status_code == 200  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["ok"] is True and body["server_time"]
    gateway.refresh_from_db()
    assert (gateway.queue_depth, gateway.errors_last_hour, gateway.version) == (12, 2, "0.1.0")
    assert gateway.oldest_waiting_s == 30.5 and gateway.heartbeat_at is not None


def test_a_revoked_gateways_heartbeat_is_refused() -> None:
    gateway, secret = make_gateway()
    gateway_revoke(actor=make_actor("platform_admin"), gateway_uuid=gateway.uuid)

    response = _beat(secret)

    assert response.status_code == 401  # type: ignore[attr-defined]
    gateway.refresh_from_db()
    assert gateway.heartbeat_at is None and not gateway.active
    assert AuditEvent.objects.filter(action="gateway.revoke").count() == 1


def test_a_negative_queue_depth_is_refused() -> None:
    gateway, secret = make_gateway()
    assert _beat(secret, {**BEAT, "queue_depth": -1}).status_code == 422  # type: ignore[attr-defined]
    gateway.refresh_from_db()
    assert gateway.heartbeat_at is None
