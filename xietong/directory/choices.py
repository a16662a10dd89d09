"""The directory's vocabulary: the values of its fields, for other apps to name (their
views and services import no other app's models; docs/architecture.md)."""

from .models import (
    InstitutionGrade,
    InstitutionKind,
    InstitutionLevel,
    Practitioner,
    RegionLevel,
    Service,
    Title,
)

__all__ = [
    "PRACTITIONER_SEXES",
    "InstitutionGrade",
    "InstitutionKind",
    "InstitutionLevel",
    "RegionLevel",
    "Service",
    "Title",
]

# A practitioner's sex as the directory records it (M, F), in the reader's words.
PRACTITIONER_SEXES = Practitioner._meta.get_field("sex").choices or []
