"""Values a service is given, cleaned by the model fields that will keep them: their length,
their choices and their validators (a name's characters), before anything is written. Each
field's messages come back by its name, so a service raises one ValidationFailed that names
every problem at once, in the reader's language."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from .errors import Message


def fields_clean(
    instance: models.Model, values: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, list[Message]]]:
    """Each value cleaned by `instance`'s field of that name, and the errors by field."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[Message]] = {}
    for name, value in values.items():
        field = instance._meta.get_field(name)
        assert isinstance(field, models.Field)
        try:
            cleaned[name] = field.clean(value, instance)
        except ValidationError as exc:
            errors[name] = list(exc.messages)
    return cleaned, errors
