"""What the directory's services share: a row's values as the audit record keeps them, and
the record of a change with each changed field's old and new value."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from xietong.core.actor import Actor
from xietong.core.audit import audit_record


def _kept(value: Any) -> Any:
    # A related row is kept by the code people know it by (a region's or an institution's),
    # else by its key: the record stays readable after the row is renamed.
    if isinstance(value, models.Model):
        return getattr(value, "code", None) or value.pk
    if isinstance(value, (str, int, float, bool, type(None), list, dict)):
        return value
    return str(value)


def values_of(instance: models.Model, names: Iterable[str]) -> dict[str, Any]:
    """The fields' values as an audit record keeps them."""
    return {name: _kept(getattr(instance, name)) for name in names}


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"from": old, "to": new}} for the fields whose value changed."""
    return {
        name: {"from": before.get(name), "to": value}
        for name, value in after.items()
        if before.get(name) != value
    }


def audit_change(
    *, actor: Actor, action: str, instance: models.Model, detail: dict[str, Any]
) -> None:
    """The record of a change to a directory row (inside the change's transaction)."""
    audit_record(
        actor=actor,
        action=action,
        resource_type=type(instance).__name__,
        resource_id=getattr(instance, "uuid", None) or instance.pk,
        detail=detail,
    )
