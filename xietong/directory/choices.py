"""The directory's vocabulary: the values of its fields, for other apps to name (their
views and services import no other app's models; docs/architecture.md)."""

from .models import (
    InstitutionGrade,
    InstitutionKind,
    InstitutionLevel,
    RegionLevel,
    Service,
    Title,
)

__all__ = [
    "InstitutionGrade",
    "InstitutionKind",
    "InstitutionLevel",
    "RegionLevel",
    "Service",
    "Title",
]
