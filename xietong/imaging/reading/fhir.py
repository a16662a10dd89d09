"""The reading's part of /fhir/R4/ (read-only, STANDARDS.md): a reading request's report
as a DiagnosticReport (its id is the request's, its status the table's mapping), pointing at
the study it reads as an ImagingStudy (its id is the study's UUID). Who may not see the
request or the study finds nothing, as if it did not exist; each read is recorded by the
selector that fetches it."""

from __future__ import annotations

import base64
from typing import Any

from django.urls import reverse

from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.core.reads import read_refused
from xietong.fhir.registry import Resource, fhir_read_register, fhir_search_register

from ..labels import body_part_label
from ..models import Series, Study
from ..selectors import studies_visible_to
from .models import ImagingReport, ReadingRequest
from .selectors import get_reading_for, reports_shown_to
from .workflow import fhir_status

NUMBER_SYSTEM = "urn:xietong:imaging-reading-number"
DICOM_UID_SYSTEM = "urn:dicom:uid"
DCM = "http://dicom.nema.org/resources/ontology/DCM"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"


def _clean(resource: dict[str, Any]) -> dict[str, Any]:
    # FHIR allows no empty values: drop None, "" and empty lists.
    return {k: v for k, v in resource.items() if v not in (None, "", [], {})}


def _time(value: Any) -> str | None:
    return value.isoformat() if value else None


def _text(report: ImagingReport) -> str:
    parts = [("检查技术", report.technique), ("影像所见", report.findings),
             ("诊断意见", report.impression), ("建议", report.advice)]  # fmt: skip
    return "\n".join(f"{title}：{body}" for title, body in parts if body)


def diagnostic_report(r: ReadingRequest, report: ImagingReport | None) -> Resource:
    status = fhir_status(r.status).report_status
    if report is not None and not report.is_signed:
        status = "preliminary"
    forms: list[dict[str, Any]] = []
    if report is not None:
        forms.append({"contentType": "text/plain; charset=utf-8", "language": "zh-CN",
                      "data": base64.b64encode(_text(report).encode()).decode(),
                      "title": f"{r.number} v{report.version}"})  # fmt: skip
        if report.is_signed:
            pdf = reverse("imaging:report_pdf", args=[r.uuid, report.version])
            forms.append(
                {
                    "contentType": "application/pdf",
                    "title": f"{r.number} v{report.version}",
                    "url": pdf,
                }
            )
    return _clean(
        {
            "resourceType": "DiagnosticReport",
            "id": str(r.uuid),
            "identifier": [{"system": NUMBER_SYSTEM, "value": r.number}],
            "status": status,
            "category": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "RAD",
                "display": "Radiology"}]}],
            "code": {"coding": [{"system": "http://loinc.org", "code": "18748-4",
                                 "display": "Diagnostic imaging study"}], "text": "影像诊断报告"},
            "subject": {"reference": f"Patient/{r.patient.uuid}", "display": r.patient.name},
            "issued": _time(report.signed_at or report.preliminary_at) if report else None,
            "performer": [{"reference": f"Organization/{r.centre.uuid}",
                           "display": r.centre.name}],
            "resultsInterpreter": [{"display": (u.display_name or u.username)}
                                   for u in ([report.signed_by] if report and report.signed_by
                                             else [])],
            "imagingStudy": [{"reference": f"ImagingStudy/{r.study.uuid}"}],
            "conclusion": report.impression if report else None,
            "presentedForm": forms,
        }
    )  # fmt: skip


def _subject(study: Study) -> dict[str, str] | None:
    p = study.patient
    return {"reference": f"Patient/{p.uuid}", "display": p.name} if p is not None else None


def imaging_study(study: Study, *, series: list[Series] | None = None) -> Resource:
    """The study as ImagingStudy; `series` when the caller fetched them (a search page)."""
    if series is None:
        series = list(Series.objects.filter(study_id=study.pk).order_by("series_number", "id"))
    d = study.study_date
    started = f"{d[:4]}-{d[4:6]}-{d[6:8]}" if len(d) == 8 and d.isdigit() else None
    return _clean(
        {
            "resourceType": "ImagingStudy",
            "id": str(study.uuid),
            "identifier": [{"system": DICOM_UID_SYSTEM,
                            "value": f"urn:oid:{study.study_instance_uid}"}] + ([{
                "type": {"coding": [{"system": V2_0203, "code": "ACSN"}]},
                "value": study.accession_number}] if study.accession_number else []),
            "status": "available",
            "modality": [{"system": DCM, "code": m} for m in study.modality_list],
            "subject": _subject(study),
            "started": started,
            "numberOfSeries": study.series_count,
            "numberOfInstances": study.instance_count,
            "description": study.study_description,
            "series": [_clean({
                "uid": s.series_instance_uid,
                "number": s.series_number,
                "modality": {"system": DCM, "code": s.modality or "OT"},
                "description": s.series_description,
                "numberOfInstances": s.instance_count,
                "bodySite": {"display": body_part_label(s.body_part)} if s.body_part else None,
            }) for s in series],
        }
    )  # fmt: skip


def diagnostic_report_read(actor: Actor, resource_id: str) -> Resource | None:
    try:
        r = get_reading_for(actor=actor, reading_uuid=resource_id)
    except NotFound:
        return None
    shown = reports_shown_to(actor=actor, reading=r)
    # The centre's draft is no report yet: the resource carries only what is submitted.
    current = next((o for o in shown if o.is_signed or o.preliminary_at), None)
    return diagnostic_report(r, current)


def imaging_study_read(actor: Actor, resource_id: str) -> Resource | None:
    from ..selectors import get_study_for

    uid = (
        studies_visible_to(actor)
        .filter(uuid=resource_id)
        .values_list("study_instance_uid", flat=True)
        .first()
    ) if _is_uuid(resource_id) else None  # fmt: skip
    if uid is None:
        read_refused(actor=actor, resource_type="ImagingStudy", resource_id=resource_id,
                     patient_id=None)  # fmt: skip
        return None
    study = get_study_for(actor=actor, study_uid=uid)
    study = Study.objects.select_related("patient").get(pk=study.pk)
    return imaging_study(study)


def _is_uuid(value: str) -> bool:
    from xietong.core.keys import uuid_or_none

    return uuid_or_none(value) is not None


def fhir_readers_register() -> None:
    from .fhir_search import (
        DIAGNOSTIC_REPORT_PARAMS,
        IMAGING_STUDY_PARAMS,
        diagnostic_report_search,
        imaging_study_search,
    )

    fhir_read_register("DiagnosticReport", diagnostic_report_read)
    fhir_read_register("ImagingStudy", imaging_study_read)
    # Searched beside what hospitals pushed of the same types, merged in one answer (ADR 32).
    merged = (
        "The platform's own %s are searched beside those hospitals pushed, merged in the order "
        "asked while _offset + _count is at most 1000; %s"
    )
    fhir_search_register(
        "DiagnosticReport", diagnostic_report_search, DIAGNOSTIC_REPORT_PARAMS,
        note=merged % ("imaging reports", "their date is issued, and _include brings nothing "
                       "for them (their subject is the platform's patient)."),
    )  # fmt: skip
    fhir_search_register(
        "ImagingStudy", imaging_study_search, IMAGING_STUDY_PARAMS,
        note=merged % ("studies", "modality is answered for them only, started at the day's "
                       "precision; identifier is the Study Instance UID or the accession number."),
    )  # fmt: skip
