"""/api/v1/patients: register, read, search, identifiers and consents. Handlers parse,
call a service or selector, and shape the answer; errors become JSON in the user's
language (xietong/core/api.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from xietong.core.api import ErrorOut
from xietong.core.http import ApiRequest
from xietong.core.inputs import text
from xietong.core.paging import limit_query
from xietong.core.reads import CHANGE

from .models import CareRelationship, Consent, Patient, PatientIdentifier
from .residentid import resident_id_mask
from .selectors import (
    MAX_RESULTS,
    PatientContact,
    get_patient_for,
    patient_contact_for,
    patient_record_for,
    patient_search,
)
from .services import consent_record, patient_identifier_add, patient_registration_make
from .services.break_glass import patient_break_glass

router = Router(tags=["patients"])


class PatientIn(Schema):
    # Text fields default to empty so that the service reports every missing value at once,
    # in the user's language, instead of the schema stopping at the first.
    name: str = text(most=60, required=True, checked=True)
    sex: str | None = None
    birth_date: dt.date | None = None
    resident_id: str | None = text(None, most=18, checked=True)
    phone: str = text(most=20, checked=True)
    address_region: str | None = None
    address: str = text(most=200, checked=True)
    ethnicity: str = text(most=20, checked=True)
    mrn: str = text(most=64, checked=True)


class PatientOut(Schema):
    uuid: uuid.UUID
    name: str
    sex: str
    birth_date: dt.date
    resident_id: str | None
    phone: str
    address_region: str | None
    address: str
    ethnicity: str
    registered_by: str
    created_at: dt.datetime


class PatientRegisterOut(Schema):
    created: bool
    # The resident is registered at another institution under the identity given.
    known_elsewhere: bool
    patient: PatientOut


class PatientSummaryOut(Schema):
    """A search hit: the resident ID is masked, as in every list."""

    uuid: uuid.UUID
    name: str
    sex: str
    birth_date: dt.date
    resident_id_masked: str


class IdentifierIn(Schema):
    system: str
    value: str = text(most=64, required=True, checked=True)


class IdentifierOut(Schema):
    system: str
    value: str
    assigner: str | None


class CareOut(Schema):
    institution_code: str
    institution_name: str
    reason: str
    since: dt.datetime


class ConsentIn(Schema):
    kind: str = ""
    signed_on: dt.date | None = None
    signed_by: str = text(most=60, required=True, checked=True)
    relationship: str = "self"
    note: str = text(most=200, checked=True)


class ConsentOut(Schema):
    uuid: uuid.UUID
    kind: str
    status: str
    signed_on: dt.date
    signed_by: str
    relationship: str
    institution: str
    scan_sha256: str
    scan_content_type: str
    created_at: dt.datetime


class PatientDetailOut(PatientOut):
    identifiers: list[IdentifierOut]
    care: list[CareOut]
    consents: list[ConsentOut]


def _patient_out(p: Patient, contact: PatientContact) -> dict[str, Any]:
    return {
        "uuid": p.uuid,
        "name": p.name,
        "sex": p.sex,
        "birth_date": p.birth_date,
        "resident_id": p.resident_id,
        "phone": contact.phone,
        "address_region": contact.address_region.code if contact.address_region else None,
        "address": contact.address,
        "ethnicity": p.ethnicity,
        "registered_by": p.registered_by.code,
        "created_at": p.created_at,
    }


def _identifier_out(i: PatientIdentifier) -> dict[str, Any]:
    assigner = i.assigner.code if i.assigner else None
    return {"system": i.system, "value": i.value, "assigner": assigner}


def _care_out(c: CareRelationship) -> dict[str, Any]:
    return {
        "institution_code": c.institution.code,
        "institution_name": c.institution.name,
        "reason": c.reason,
        "since": c.since,
    }


def _consent_out(c: Consent) -> dict[str, Any]:
    return {
        "uuid": c.uuid,
        "kind": c.kind,
        "status": c.status,
        "signed_on": c.signed_on,
        "signed_by": c.signed_by,
        "relationship": c.relationship,
        "institution": c.institution.code,
        "scan_sha256": c.scan_sha256,
        "scan_content_type": c.scan_content_type,
        "created_at": c.created_at,
    }


@router.post(
    "",
    response={200: PatientRegisterOut, 201: PatientRegisterOut, 403: ErrorOut, 422: ErrorOut},
    summary="Register a patient",
)
def patient_register_api(request: ApiRequest, payload: PatientIn) -> Status[dict[str, Any]]:
    """Registers a resident at the caller's institution: 201 when new; 200 with
    `created: false` when the institution already has them, or when the resident ID is
    known elsewhere under the same name, birth date and sex (`known_elsewhere: true`). The
    answer shows what the caller may see: a known resident's contact details held by other
    institutions are not among it. A resident ID known under another identity is registered
    as a record of its own (201) and left to a data-quality review."""
    done = patient_registration_make(actor=request.auth, **payload.dict())
    patient = done.patient
    contact = patient_contact_for(actor=request.auth, patient=patient)
    return Status(
        201 if done.created else 200,
        {
            "created": done.created,
            "known_elsewhere": done.known_elsewhere,
            "patient": _patient_out(patient, contact),
        },
    )


@router.get(
    "",
    response={200: list[PatientSummaryOut], 422: ErrorOut},
    summary="Search patients",
)
def patient_search_api(
    request: ApiRequest,
    q: str | None = None,
    resident_id: str | None = None,
    name: str | None = None,
    birth_date: dt.date | None = None,
    phone: str | None = None,
    limit: int = limit_query(default=20, most=MAX_RESULTS),
) -> list[dict[str, Any]]:
    """Patients of the caller's institution matching every criterion given (`q` may be a
    resident ID, a phone number, a record number or a name). No criterion, no results."""
    found = patient_search(
        actor=request.auth, q=q, resident_id=resident_id, name=name,
        birth_date=birth_date, phone=phone, limit=limit,
    )  # fmt: skip
    return [
        {
            "uuid": p.uuid,
            "name": p.name,
            "sex": p.sex,
            "birth_date": p.birth_date,
            "resident_id_masked": resident_id_mask(p.resident_id),
        }
        for p in found
    ]


@router.get(
    "/{uuid:patient_uuid}",
    response={200: PatientDetailOut, 404: ErrorOut},
    summary="Read a patient",
)
def patient_detail_api(request: ApiRequest, patient_uuid: uuid.UUID) -> dict[str, Any]:
    """Demographics, identifiers, the institutions caring and the consents on file.
    404 both when the patient does not exist and when the caller may not see them."""
    patient = get_patient_for(actor=request.auth, patient_uuid=patient_uuid)
    record = patient_record_for(patient, actor=request.auth)
    return {
        **_patient_out(patient, patient_contact_for(actor=request.auth, patient=patient)),
        "identifiers": [_identifier_out(i) for i in record.identifiers],
        "care": [_care_out(c) for c in record.care],
        "consents": [_consent_out(c) for c in record.consents],
    }


@router.post(
    "/{uuid:patient_uuid}/identifiers",
    response={201: IdentifierOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Add an identifier",
)
def identifier_add_api(
    request: ApiRequest, patient_uuid: uuid.UUID, payload: IdentifierIn
) -> Status[dict[str, Any]]:
    """A medical record number (`mrn`, assigned by the caller's institution) or an
    insurance card number (`insurance`)."""
    patient = get_patient_for(actor=request.auth, patient_uuid=patient_uuid, intent=CHANGE)
    identifier = patient_identifier_add(
        actor=request.auth, patient=patient, system=payload.system, value=payload.value
    )
    return Status(201, _identifier_out(identifier))


@router.post(
    "/{uuid:patient_uuid}/consents",
    response={201: ConsentOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut, 422: ErrorOut},
    summary="Record a signed consent",
)
def consent_add_api(
    request: ApiRequest,
    patient_uuid: uuid.UUID,
    payload: Form[ConsentIn],
    scan: File[UploadedFile | None] = None,
) -> Status[dict[str, Any]]:
    """multipart/form-data: the consent's fields and `scan`, the signed form as a PDF,
    JPEG or PNG file (judged by its content) of at most XT_UPLOAD_MAX_MB."""
    patient = get_patient_for(actor=request.auth, patient_uuid=patient_uuid, intent=CHANGE)
    consent = consent_record(
        actor=request.auth, patient=patient, kind=payload.kind, signed_on=payload.signed_on,
        signed_by=payload.signed_by, relationship=payload.relationship, scan=scan,
        note=payload.note,
    )  # fmt: skip
    return Status(201, _consent_out(consent))


class BreakGlassIn(Schema):
    reason: str = ""


class BreakGlassOut(Schema):
    patient: uuid.UUID
    reason: str
    started_at: dt.datetime
    ends_at: dt.datetime


@router.post(
    "/{uuid:patient_uuid}/break-glass",
    response={201: BreakGlassOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Open the whole record in an emergency",
)
def break_glass_api(
    request: ApiRequest, patient_uuid: uuid.UUID, payload: BreakGlassIn
) -> Status[dict[str, Any]]:
    """Emergency access: for XT_BREAK_GLASS_HOURS the caller reads what other institutions
    hold about a patient their institution cares for. The reason (at least 10 characters) is
    audited, sent to those institutions and counted for supervisors."""
    patient = get_patient_for(actor=request.auth, patient_uuid=patient_uuid, intent=CHANGE)
    opened = patient_break_glass(actor=request.auth, patient=patient, reason=payload.reason)
    return Status(
        201,
        {
            "patient": patient.uuid,
            "reason": opened.reason,
            "started_at": opened.started_at,
            "ends_at": opened.ends_at,
        },
    )
