"""FHIR R4 Slot and Appointment resources (plain dicts) built from our rows, for the
FHIR facade and for the workflow apps that describe a booked referral or consultation."""

from __future__ import annotations

from typing import Any

from .models import Booking, BookingStatus, Slot

SERVICE_CATEGORY = "http://terminology.hl7.org/CodeSystem/service-category"
XIETONG = "urn:xietong"


def _instant(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z")


def slot_resource(slot: Slot) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Slot",
        "id": str(slot.uuid),
        "schedule": {"reference": f"Schedule/{slot.schedule.uuid}"},
        "status": slot.status,
        "start": _instant(slot.start),
        "end": _instant(slot.end),
        "comment": f"{slot.booked_count}/{slot.capacity}",
        "serviceType": [{"coding": [{"system": f"{XIETONG}/purpose", "code": slot.purpose}]}],
    }
    if slot.examination_type:
        resource["serviceType"].append(
            {"coding": [{"system": f"{XIETONG}/examination-type", "code": slot.examination_type}]}
        )
    if slot.department is not None:
        resource["specialty"] = [
            {
                "coding": [
                    {
                        "system": f"{XIETONG}/department",
                        "code": slot.department.code,
                        "display": slot.department.name,
                    }
                ]
            }
        ]
    # Several patients share a slot: overbooked says whether it holds more than capacity.
    resource["overbooked"] = slot.booked_count > slot.capacity
    return resource


def appointment_resource(booking: Booking) -> dict[str, Any]:
    slot = booking.slot
    participants: list[dict[str, Any]] = []
    if booking.patient is not None:
        participants.append(
            {"actor": {"reference": f"Patient/{booking.patient.uuid}"}, "status": "accepted"}
        )
    if slot.practitioner is not None:
        participants.append(
            {
                "actor": {
                    "reference": f"Practitioner/{slot.practitioner.uuid}",
                    "display": slot.practitioner.name,
                },
                "status": "accepted",
            }
        )
    participants.append(
        {
            "actor": {
                "reference": f"Organization/{slot.institution.uuid}",
                "display": slot.institution.name,
            },
            "status": "accepted",
        }
    )
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "id": str(booking.uuid),
        "identifier": [{"system": f"{XIETONG}/booking-number", "value": booking.number}],
        "status": booking.status,
        "start": _instant(slot.start),
        "end": _instant(slot.end),
        "slot": [{"reference": f"Slot/{slot.uuid}"}],
        "created": booking.created_at.date().isoformat(),
        "basedOn": [
            {
                "identifier": {
                    "system": f"{XIETONG}/{booking.subject_type}",
                    "value": str(booking.subject_id),
                }
            }
        ],
        "participant": participants,
    }
    if booking.status == BookingStatus.CANCELLED and booking.reason:
        resource["cancelationReason"] = {"text": booking.reason}
    return resource
