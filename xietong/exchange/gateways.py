"""Registering and revoking gateways, and knowing one by its secret on every call."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import NotFound, NotPermitted, ValidationFailed
from xietong.core.rows import RowQuery
from xietong.directory import selectors as directory

from .models import Gateway

SECRET_PREFIX = "xg_"  # noqa: S105 (a marker, not a secret)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _admin_only(actor: Actor) -> None:
    if not actor.is_platform_admin:
        raise NotPermitted(_("Only the platform administrator manages exchange gateways."))


def gateway_register(*, actor: Actor, institution_id: int, name: str) -> tuple[Gateway, str]:
    """Returns the gateway and its secret, which is shown this once only."""
    _admin_only(actor)
    name = name.strip()
    if not name:
        raise ValidationFailed.single("name", _("Give the gateway a name."))
    institution = directory.institution_by_id(institution_id=institution_id)
    if institution is None:
        raise ValidationFailed.single("institution", _("Choose an institution."))
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        gateway = Gateway.objects.create(
            institution_id=institution_id,
            name=name[:80],
            secret_hash=_hash(secret),
            secret_prefix=secret[:10],
        )
        audit_record(
            actor=actor,
            action="gateway.register",
            resource_type="Gateway",
            resource_id=gateway.uuid,
            detail={"institution_id": institution_id, "name": gateway.name},
        )
    return gateway, secret


def gateway_secret_renew(*, actor: Actor, gateway_uuid: uuid.UUID | str) -> tuple[Gateway, str]:
    """A new secret for a gateway in use (its machine was reinstalled, its secret lost or
    seen by someone who should not have): the old one is refused from now on, and what the
    gateway sent stays its own. Returns the secret, shown this once only."""
    _admin_only(actor)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        gateway = Gateway.objects.select_for_update().filter(uuid=gateway_uuid).first()
        if gateway is None:
            raise NotFound()
        if not gateway.active:
            raise ValidationFailed.single(
                "gateway", _("A revoked gateway gets no new secret: register a new one.")
            )
        gateway.secret_hash = _hash(secret)
        gateway.secret_prefix = secret[:10]
        gateway.save(update_fields=["secret_hash", "secret_prefix", "updated_at"])
        audit_record(
            actor=actor, action="gateway.secret_renew", resource_type="Gateway",
            resource_id=gateway.uuid, detail={"name": gateway.name},
        )  # fmt: skip
    return gateway, secret


def gateway_revoke(*, actor: Actor, gateway_uuid: uuid.UUID | str) -> Gateway:
    """Takes the gateway out of use: its next call is refused."""
    _admin_only(actor)
    with transaction.atomic():
        gateway = Gateway.objects.select_for_update().filter(uuid=gateway_uuid).first()
        if gateway is None:
            raise NotFound()
        if gateway.active:
            gateway.active = False
            gateway.revoked_at = timezone.now()
            gateway.save(update_fields=["active", "revoked_at", "updated_at"])
            audit_record(
                actor=actor, action="gateway.revoke", resource_type="Gateway",
                resource_id=gateway.uuid, detail={"name": gateway.name},
            )  # fmt: skip
    return gateway


def gateways_listed(*, actor: Actor) -> QuerySet[Gateway]:
    _admin_only(actor)
    return Gateway.objects.select_related("institution").order_by("institution__name", "name")


def _gateway_rows(secret_hash: str) -> QuerySet[Gateway]:
    return Gateway.objects.select_related("institution").filter(
        secret_hash=secret_hash, active=True
    )


# Compiled once per process: it runs on every push and heartbeat (core/rows.py).
_GATEWAY_ROWS = RowQuery(Gateway, _gateway_rows)


def gateway_for_secret(secret: str) -> Gateway | None:
    """The active gateway with this secret. A revoked one is not found, so its next call is
    refused at once."""
    if not secret.startswith(SECRET_PREFIX):
        return None
    return _GATEWAY_ROWS.row(_hash(secret))


def gateway_for_authorization(header: str) -> Gateway | None:
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return gateway_for_secret(secret.strip())


def gateway_heartbeat_record(
    *,
    gateway: Gateway,
    queue_depth: int,
    oldest_waiting_s: float | None,
    last_success_at: dt.datetime | None,
    errors_last_hour: int,
    version: str,
) -> dt.datetime:
    """Keeps what the gateway says of itself; returns the platform's time. Not audited: it
    holds no patient data and arrives every minute."""
    now = timezone.now()
    Gateway.objects.filter(pk=gateway.pk).update(
        heartbeat_at=now,
        queue_depth=queue_depth,
        oldest_waiting_s=oldest_waiting_s,
        last_success_at=last_success_at,
        errors_last_hour=errors_last_hour,
        version=version[:40],
    )
    return now
