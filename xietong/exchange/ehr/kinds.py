"""The kinds of entry on a resident's record (居民健康档案): what the type filter offers, the
resource types each gathers, and how an entry of it is labelled."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    code: str
    label: str | Promise
    icon: str  # a Bootstrap icon
    resource_types: tuple[str, ...]


KINDS: tuple[Kind, ...] = (
    Kind("encounter", _("Encounters"), "hospital", ("Encounter",)),
    Kind("condition", _("Diagnoses"), "clipboard2-pulse", ("Condition",)),
    Kind("observation", _("Lab results"), "droplet-half", ("Observation",)),
    Kind("report", _("Reports"), "file-earmark-medical", ("DiagnosticReport",)),
    # Studies in our archive (imaging registers them) and those a hospital pushed.
    Kind("imaging", _("Imaging"), "images", ("ImagingStudy",)),
    Kind("medication", _("Prescriptions"), "capsule", ("MedicationRequest",)),
    Kind("allergy", _("Allergies"), "exclamation-octagon", ("AllergyIntolerance",)),
    Kind("procedure", _("Procedures"), "bandaid", ("Procedure",)),
    Kind("document", _("Documents"), "file-earmark-text", ("DocumentReference",)),
)
KIND_BY_CODE = {k.code: k for k in KINDS}
KIND_OF_TYPE = {t: k for k in KINDS for t in k.resource_types}
TIMELINE_TYPES = tuple(KIND_OF_TYPE)
