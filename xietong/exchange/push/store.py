"""Writing one entry's resource: created, updated to a new version, or left as it was when
the hospital sent the same thing again."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..models import (
    ExchangeMessage,
    FhirResource,
    FhirToken,
    Gateway,
    ProvenanceAction,
    ResourceProvenance,
)
from .columns import resource_date, resource_tokens


@dataclass(frozen=True)
class Written:
    resource: FhirResource
    action: str  # create | update | none


def _same(stored: dict[str, Any], sent: dict[str, Any]) -> bool:
    """Whether the hospital sent what is stored (our id and meta aside)."""
    drop = ("id", "meta")
    return {k: v for k, v in stored.items() if k not in drop} == {
        k: v for k, v in sent.items() if k not in drop
    }


def resource_write(
    *,
    gateway: Gateway,
    message: ExchangeMessage,
    resource_type: str,
    logical_id: uuid.UUID,
    existing: FhirResource | None,
    content: dict[str, Any],
    subject: str,
    patient_id: int | None,
    source_system: str,
    now: datetime,
) -> Written:
    if existing is not None and _same(existing.content, content):
        return Written(existing, "none")
    version = 1 if existing is None else existing.version_id + 1
    content = {
        **content,
        "id": str(logical_id),
        "meta": {
            **(content.get("meta") or {}),
            "versionId": str(version),
            "lastUpdated": now.isoformat().replace("+00:00", "Z"),
        },
    }
    columns = {
        "content": content,
        "version_id": version,
        "subject": subject,
        "patient_id": patient_id,
        "last_updated": now,
        "date": resource_date(resource_type, content),
        "status": str(content.get("status", ""))[:32],
    }
    if existing is None:
        resource = FhirResource.objects.create(
            resource_type=resource_type,
            logical_id=logical_id,
            source_institution_id=gateway.institution_id,
            **columns,
        )
        action = ProvenanceAction.CREATE
    else:
        resource = existing
        for name, value in columns.items():
            setattr(resource, name, value)
        resource.save(update_fields=list(columns))
        FhirToken.objects.filter(resource=resource).delete()
        action = ProvenanceAction.UPDATE
    FhirToken.objects.bulk_create(
        FhirToken(
            resource=resource,
            resource_type=resource_type,
            param=p,
            system=s,
            value=v,
            patient_id=patient_id,
            date=resource.date,
        )
        for p, s, v in resource_tokens(resource_type, content)
    )
    ResourceProvenance.objects.create(
        resource=resource,
        version_id=version,
        action=action,
        gateway=gateway,
        message=message,
        source_system=source_system[:200],
        received_at=now,
    )
    return Written(resource, action.value)
