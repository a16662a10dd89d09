"""What the documents partial (records/_documents.html) needs, for the records page, the
patient's page and the workflows that include it (the consultation workspace)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from xietong.core.actor import Actor
from xietong.patients.models import Patient
from xietong.patients.sections import PatientSection

from .forms import DocumentUploadForm
from .selectors import documents_for_patient, documents_for_source
from .services import UPLOAD_ROLES


def documents_panel_context(
    *,
    actor: Actor,
    patient: Patient,
    source: str = "",
    next_url: str = "",
    form: DocumentUploadForm | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """The documents of the patient (or of one workflow object when `source` is given) and
    an upload form that files new ones to that source and comes back to `next_url`."""
    if source:
        documents = documents_for_source(actor=actor, source=source).filter(patient=patient)
    else:
        documents = documents_for_patient(actor=actor, patient=patient)
    listed = list(documents[:limit] if limit else documents)
    return {
        "patient": patient,
        "documents": listed,
        "source": source,
        "next_url": next_url,
        "can_upload": actor.has_role(*UPLOAD_ROLES),
        "upload_form": form
        or DocumentUploadForm(initial={"source": source}, clinical_date=timezone.localdate()),
    }


def records_section(request: HttpRequest, actor: Actor, patient: Patient) -> PatientSection:
    """The "Records" section at the bottom of the patient's page: the latest documents."""
    context = documents_panel_context(
        actor=actor, patient=patient, next_url=request.get_full_path(), limit=10
    )
    return PatientSection("records/_patient_section.html", context, order=10)
