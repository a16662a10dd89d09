"""A signed imaging report, pushed to the requesting hospital's gateway (exchange, ADR 27).

Registered for the signing and the correction steps; it runs inside their transaction. The
DiagnosticReport is the one /fhir/R4/ serves; the DocumentReference points at its PDF on the
platform (rendered on request, behind the platform's login)."""

from __future__ import annotations

import uuid
from typing import Any

from django.urls import reverse

from xietong.exchange.models import PushKind
from xietong.exchange.outgoing.registry import PushContent, push_source_register

from .fhir import diagnostic_report
from .models import ReadingRequest
from .reports import current_report


def report_push(payload: dict[str, Any]) -> PushContent | None:
    r = ReadingRequest.objects.select_related("patient", "centre", "study").get(
        uuid=payload["imaging_reading"]
    )
    report = current_report(r)
    if report is None or not report.is_signed:
        return None
    assert report.signed_at is not None
    label = f"{r.number} v{report.version}"
    subject = {"reference": f"Patient/{r.patient.uuid}", "display": r.patient.name}
    document = {
        "resourceType": "DocumentReference",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"xietong:imaging-report-pdf:{report.uuid}")),
        "status": "current",
        "type": {"coding": [{"system": "http://loinc.org", "code": "18748-4",
                             "display": "Diagnostic imaging study"}], "text": "影像诊断报告"},
        "subject": subject,
        "date": report.signed_at.isoformat(),
        "content": [{"attachment": {
            "contentType": "application/pdf", "title": label,
            "url": reverse("imaging:report_pdf", args=[r.uuid, report.version]),
        }}],
        "context": {"related": [{"reference": f"DiagnosticReport/{r.uuid}"}]},
    }  # fmt: skip
    return PushContent(
        kind=PushKind.IMAGING_REPORT,
        patient_id=r.patient_id,
        institution_ids=(r.requesting_institution_id,),
        source_key=f"imaging_report:{report.uuid}",
        subject=label,
        resources=[diagnostic_report(r, report), document],
    )


def push_sources_register() -> None:
    for action in ("sign", "correct"):
        push_source_register(
            f"imaging_reading.{action}",
            report_push,
            told=lambda payload: [payload.get("requesting_institution_id")],
        )
