"""Public keys as they come in: a UUID from a URL, a form or a FHIR reference."""

from __future__ import annotations

import uuid


def uuid_or_none(value: object) -> uuid.UUID | None:
    """The UUID `value` spells, or None when it spells none (a selector then answers
    NotFound, as for a key that names nothing)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
