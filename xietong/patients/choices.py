"""The patients app's vocabulary: the values of its fields, for other apps to name (their
views and services import no other app's models; docs/architecture.md)."""

from .models import (
    CareReason,
    ConsentKind,
    ConsentRelationship,
    ConsentStatus,
    IdentifierSystem,
    Sex,
)

__all__ = [
    "CareReason",
    "ConsentKind",
    "ConsentRelationship",
    "ConsentStatus",
    "IdentifierSystem",
    "Sex",
]
