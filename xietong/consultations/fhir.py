"""Read-only FHIR R4 views of a consultation: ServiceRequest + Task (STANDARDS.md).

One Task for the centre's work (owner: the centre) and one per expert asked (a candidate
performer: requested, accepted, rejected with its reason, or cancelled)."""

from __future__ import annotations

from typing import Any

from .models import AssignmentStatus, Consultation, ConsultationAssignment, Status, Urgency
from .selectors import consultation_assignments
from .workflow import fhir_status

STATUS_SYSTEM = "urn:xietong:consultation-status"
NUMBER_SYSTEM = "urn:xietong:consultation-number"
PRIORITY = {Urgency.ROUTINE: "routine", Urgency.URGENT: "urgent", Urgency.EMERGENCY: "stat"}


def _time(value: Any) -> str | None:
    return value.isoformat() if value else None


def _org(institution: Any) -> dict[str, str]:
    return {"reference": f"Organization/{institution.uuid}", "display": institution.name}


def _patient(c: Consultation) -> dict[str, str]:
    return {"reference": f"Patient/{c.patient.uuid}", "display": c.patient.name}


def _clean(resource: dict[str, Any]) -> dict[str, Any]:
    # FHIR allows no empty values: drop None, "" and empty lists.
    return {k: v for k, v in resource.items() if v not in (None, "", [], {})}


def service_request(c: Consultation) -> dict[str, Any]:
    experts = [
        a
        for a in consultation_assignments(consultation=c)
        if a.status in (AssignmentStatus.PROPOSED, AssignmentStatus.ACCEPTED)
    ]
    reason: dict[str, Any] = {"text": c.diagnosis_text or c.reason}
    if c.diagnosis_code:
        reason["coding"] = [
            {
                "system": "http://hl7.org/fhir/sid/icd-10",
                "code": c.diagnosis_code,
                "display": c.diagnosis_text or c.diagnosis_code,
            }
        ]
    return _clean(
        {
            "resourceType": "ServiceRequest",
            "id": str(c.uuid),
            "identifier": [{"system": NUMBER_SYSTEM, "value": c.number}],
            "status": fhir_status(c.status).request_status,
            "intent": "order",
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://snomed.info/sct",
                            "code": "11429006",
                            "display": "Consultation",
                        }
                    ],
                    "text": c.get_kind_display(),
                }
            ],
            "priority": PRIORITY[Urgency(c.urgency)],
            "code": {"text": f"{c.get_kind_display()} ({c.get_mode_display()})"},
            "subject": _patient(c),
            "authoredOn": _time(c.submitted_at or c.created_at),
            "requester": _org(c.requesting_institution),
            "performer": [_org(c.centre)]
            + [
                {
                    "reference": f"Practitioner/{a.expert.practitioner.uuid}",
                    "display": a.expert.practitioner.name,
                }
                for a in experts
            ],
            "reasonCode": [reason] if reason.get("text") else [],
            "note": [{"text": text} for text in (c.reason, c.purpose) if text],
        }
    )


def _business(c: Consultation) -> dict[str, Any]:
    fhir = fhir_status(c.status)
    return {"coding": [{"system": STATUS_SYSTEM, "code": c.status}], "text": fhir.business_status}


def _centre_task(c: Consultation) -> dict[str, Any]:
    fhir = fhir_status(c.status)
    return _clean(
        {
            "resourceType": "Task",
            "id": str(c.uuid),
            "identifier": [{"system": NUMBER_SYSTEM, "value": c.number}],
            "status": fhir.task_status,
            "businessStatus": _business(c),
            "statusReason": {"text": c.cancel_reason} if c.status == Status.CANCELLED else None,
            "intent": "order",
            "priority": PRIORITY[Urgency(c.urgency)],
            "code": {
                "coding": [
                    {"system": "http://hl7.org/fhir/CodeSystem/task-code", "code": "fulfill"}
                ]
            },
            "focus": {"reference": f"ServiceRequest/{c.uuid}"},
            "for": _patient(c),
            "authoredOn": _time(c.submitted_at or c.created_at),
            "lastModified": _time(c.updated_at),
            "requester": _org(c.requesting_institution),
            "owner": _org(c.centre),
            "restriction": {"period": {"end": _time(c.answer_by)}} if c.answer_by else None,
        }
    )


_ASSIGNMENT_STATUS = {
    AssignmentStatus.PROPOSED: "requested",
    AssignmentStatus.ACCEPTED: "accepted",
    AssignmentStatus.DECLINED: "rejected",
    AssignmentStatus.CANCELLED: "cancelled",
}


def _expert_task(c: Consultation, a: ConsultationAssignment) -> dict[str, Any]:
    status = _ASSIGNMENT_STATUS[AssignmentStatus(a.status)]
    if a.status == AssignmentStatus.ACCEPTED:
        # Once accepted, the expert's task follows the consultation.
        status = fhir_status(c.status).task_status
    reason = a.decline_reason if a.status == AssignmentStatus.DECLINED else ""
    return _clean(
        {
            "resourceType": "Task",
            "id": f"{c.uuid}-a{a.pk}",
            "status": status,
            "statusReason": {"text": reason} if reason else None,
            "businessStatus": {"text": a.get_status_display()},
            "intent": "order",
            "code": {
                "coding": [
                    {"system": "http://hl7.org/fhir/CodeSystem/task-code", "code": "fulfill"}
                ]
            },
            "focus": {"reference": f"ServiceRequest/{c.uuid}"},
            "partOf": [{"reference": f"Task/{c.uuid}"}],
            "for": _patient(c),
            "authoredOn": _time(a.assigned_at),
            "requester": _org(c.centre),
            "owner": {
                "reference": f"Practitioner/{a.expert.practitioner.uuid}",
                "display": a.expert.practitioner.name,
            },
        }
    )


def tasks(c: Consultation) -> list[dict[str, Any]]:
    return [_centre_task(c)] + [
        _expert_task(c, a) for a in consultation_assignments(consultation=c)
    ]
