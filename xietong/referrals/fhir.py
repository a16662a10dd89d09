"""Read-only FHIR R4 views of a referral (STANDARDS.md): a ServiceRequest, the up-referral's
Task (owner: the receiving institution) with its BSeR businessStatus, a second Task for the
down-referral (owner: the lower institution) once there is one, and the booked Appointment."""

from __future__ import annotations

import uuid
from typing import Any

from xietong.scheduling.fhir import appointment_resource
from xietong.scheduling.models import Booking

from .models import Referral, Status, Urgency
from .workflow import BSER_DISPLAY, fhir_status

BSER_SYSTEM = "http://hl7.org/fhir/us/bser/CodeSystem/TaskBusinessStatusCS"
STATUS_SYSTEM = "urn:xietong:referral-status"
NUMBER_SYSTEM = "urn:xietong:referral-number"
PRIORITY = {Urgency.ROUTINE: "routine", Urgency.URGENT: "urgent", Urgency.EMERGENCY: "stat"}
SNOMED_REFERRAL = {
    "examination": ("3457005", "Patient referral"),
    "outpatient": ("306206005", "Referral to service"),
    "inpatient": ("306206005", "Referral to service"),
}
DOWN_NAMESPACE = uuid.UUID("6f1c7a52-3b4e-4d59-9a0e-6c2f3e1d8b11")


def _time(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _org(institution: Any) -> dict[str, str]:
    return {"reference": f"Organization/{institution.uuid}", "display": institution.name}


def _clean(resource: dict[str, Any]) -> dict[str, Any]:
    # FHIR allows no empty values: drop None, "" and empty lists.
    return {k: v for k, v in resource.items() if v not in (None, "", [], {})}


def _business(code: str, state: str) -> dict[str, Any]:
    if code in BSER_DISPLAY:
        coding = [{"system": BSER_SYSTEM, "code": code, "display": BSER_DISPLAY[code]}]
    else:
        coding = [{"system": STATUS_SYSTEM, "code": code}]
    return {"coding": coding, "text": str(Status(state).label)}


def service_request(r: Referral) -> dict[str, Any]:
    code, display = SNOMED_REFERRAL[r.kind]
    return _clean(
        {
            "resourceType": "ServiceRequest",
            "id": str(r.uuid),
            "identifier": [{"system": NUMBER_SYSTEM, "value": r.number}],
            "status": fhir_status(r.status, green_channel=r.green_channel).request_status,
            "intent": "order",
            "category": [
                {
                    "coding": [
                        {"system": "http://snomed.info/sct", "code": code, "display": display}
                    ],
                    "text": r.get_kind_display(),
                }
            ],
            "priority": PRIORITY[Urgency(r.urgency)],
            "code": {"text": r.examination_type or r.get_kind_display()},
            "subject": {"reference": f"Patient/{r.patient.uuid}", "display": r.patient.name},
            "authoredOn": _time(r.created_at),
            "requester": _org(r.sending_institution),
            "performer": [_org(r.receiving_institution)],
            "reasonCode": [
                {
                    "coding": [
                        {
                            "system": "http://hl7.org/fhir/sid/icd-10",
                            "code": r.diagnosis_code,
                            "display": r.diagnosis_text,
                        }
                    ],
                    "text": r.diagnosis_text,
                }
            ],
            "supportingInfo": [{"reference": f"DocumentReference/{d}"} for d in r.shared_documents],
            "note": [{"text": t} for t in (r.reason, r.clinical_summary, r.justification) if t],
            "basedOn": (
                [{"reference": f"ServiceRequest/{r.previous.uuid}"}] if r.previous else None
            ),
        }
    )


def _task(r: Referral, *, down: bool) -> dict[str, Any]:
    if down:
        task_status, code = _down_status(r)
        owner, requester = r.down_institution, r.receiving_institution
        task_id = str(uuid.uuid5(DOWN_NAMESPACE, str(r.uuid)))
        reason = r.down_decline_reason
    else:
        fhir = fhir_status(r.status, green_channel=r.green_channel)
        task_status, code = fhir.task_status, fhir.business_status
        owner, requester, task_id = r.receiving_institution, r.sending_institution, str(r.uuid)
        reason = r.decline_reason or r.cancel_reason
    output = []
    if not down and r.report_document_uuid:
        output.append(
            {
                "type": {"text": "examination report"},
                "valueReference": {"reference": f"DocumentReference/{r.report_document_uuid}"},
            }
        )
    return _clean(
        {
            "resourceType": "Task",
            "id": task_id,
            "identifier": [{"system": NUMBER_SYSTEM, "value": r.number + ("-D" if down else "")}],
            "status": task_status,
            "businessStatus": _business(code, r.status),
            "statusReason": {"text": reason} if reason and task_status in (
                "rejected", "cancelled", "failed") else None,
            "intent": "order",
            "priority": PRIORITY[Urgency(r.urgency)],
            "code": {
                "coding": [
                    {"system": "http://hl7.org/fhir/CodeSystem/task-code", "code": "fulfill"}
                ]
            },
            "description": "down-referral" if down else "up-referral",
            "focus": {"reference": f"ServiceRequest/{r.uuid}"},
            "for": {"reference": f"Patient/{r.patient.uuid}"},
            "authoredOn": _time(r.down_requested_at if down else r.created_at),
            "lastModified": _time(r.updated_at),
            "requester": _org(requester) if requester else None,
            "owner": _org(owner) if owner else None,
            "restriction": (
                {"period": {"end": _time(r.ack_by)}} if r.ack_by and not down else None
            ),
            "output": output,
        }
    )  # fmt: skip


def _down_status(r: Referral) -> tuple[str, str]:
    if r.status == Status.DOWN_REQUESTED:
        return "requested", "2.0"
    if r.status == Status.FOLLOW_UP:
        return "in-progress", "3.0"
    return "completed", "7.0"


def tasks(r: Referral) -> list[dict[str, Any]]:
    found = [_task(r, down=False)]
    if r.down_institution_id is not None:
        found.append(_task(r, down=True))
    return found


def appointment(r: Referral) -> dict[str, Any] | None:
    if r.booking_uuid is None:
        return None
    booking = (
        Booking.objects.select_related(
            "slot__institution", "slot__practitioner", "slot__schedule", "patient"
        )
        .filter(uuid=r.booking_uuid)
        .first()
    )
    return appointment_resource(booking) if booking else None
