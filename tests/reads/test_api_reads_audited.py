"""Every API operation that answers with patient data records the read where it fetches it:
one `read` event of the object it is about (or one `search` event for a list), never none
and never the same object twice (docs/adr/0015-one-audited-read-path.md).

The operations come from the OpenAPI document, so a new one fails here, named, until it is
listed below as a read, a list, or an operation that answers no patient data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from config.api import api
from tests.api.operations import ROLES, Operation, World, call_build, operations_in, world_build
from xietong.consultations.tests.contract import contract_consultation
from xietong.core.audit_vocabulary import resource_action
from xietong.core.models import AuditEvent, AuditOutcome
from xietong.referrals.tests import contract as referral_contract

pytestmark = pytest.mark.django_db

READS = [op for op in operations_in(api.get_openapi_schema()) if op.method == "GET"]

# operation -> (the event, its resource type)
PATIENT_DATA: dict[str, tuple[str, str]] = {
    "GET /api/v1/conferencing/threads/{thread_uuid}/messages": ("read", "ChatThread"),
    "GET /api/v1/consultations": ("search", "ServiceRequest"),
    "GET /api/v1/consultations/{consultation_uuid}": ("read", "Consultation"),
    "GET /api/v1/consultations/{consultation_uuid}/opinions": ("read", "Consultation"),
    "GET /api/v1/consultations/{consultation_uuid}/timeline": ("read", "Consultation"),
    "GET /api/v1/consultations/{consultation_uuid}/studies": ("read", "Consultation"),
    "GET /api/v1/imaging/readings/{reading_uuid}": ("read", "ImagingReading"),
    "GET /api/v1/imaging/readings/{reading_uuid}/reports": ("read", "ImagingReading"),
    "GET /api/v1/imaging/worklist": ("search", "ImagingReading"),
    "GET /api/v1/patients": ("search", "Patient"),
    "GET /api/v1/patients/{patient_uuid}": ("read", "Patient"),
    "GET /api/v1/records": ("search", "DocumentReference"),
    "GET /api/v1/records/patients/{patient_uuid}": ("read", "Patient"),
    "GET /api/v1/records/{document_uuid}": ("read", "DocumentReference"),
    "GET /api/v1/records/{document_uuid}/file": ("read", "DocumentReference"),
    "GET /api/v1/referrals": ("search", "ServiceRequest"),
    "GET /api/v1/referrals/arrivals": ("search", "ServiceRequest"),
    "GET /api/v1/referrals/{referral_uuid}": ("read", "Referral"),
    "GET /api/v1/referrals/{referral_uuid}/slip": ("read", "Referral"),
    "GET /api/v1/referrals/{referral_uuid}/timeline": ("read", "Referral"),
}

# operation -> why it answers no patient data
NO_PATIENT_DATA: dict[str, str] = {
    "GET /api/v1/auth/me": "who the caller is",
    "GET /api/v1/auth/tokens": "the caller's own tokens",
    "GET /api/v1/consultations/board": "numbers, hospitals, experts and rooms; no patients",
    "GET /api/v1/directory/departments": "the directory",
    "GET /api/v1/directory/experts": "the directory",
    "GET /api/v1/directory/institutions": "the directory",
    "GET /api/v1/directory/institutions/{uuid}": "the directory",
    "GET /api/v1/directory/regions": "the directory",
    "GET /api/v1/health": "the service's own health",
    "GET /api/v1/notifications": "the caller's own notices (numbers, not patients)",
    "GET /api/v1/notifications/unread-count": "a count",
    "GET /api/v1/referrals/criteria-unmet": "counts per sending institution",
    "GET /api/v1/referrals/slots": "free slots",
    "GET /api/v1/referrals/targets": "institutions",
    "GET /api/v1/scheduling/schedules": "schedules",
    "GET /api/v1/scheduling/schedules/{schedule_uuid}": "a schedule",
    "GET /api/v1/scheduling/slots": "free slots",
    "GET /api/v1/video/meetings": "meetings and who is invited",
}


def _consultation_listed(w: World) -> None:
    contract_consultation(w.membership, "")  # a draft of the caller's, so the list has a row


def _arrival_due(w: World) -> None:
    # A green-channel referral on its way: expected whatever the day.
    referral_contract.contract_referral(w.membership, "/acknowledge")


def _referral_sent(w: World) -> None:
    referral_contract.contract_referral(w.membership, "")


def _document_filed(w: World) -> None:
    assert w.document.pk  # filed with the source the query names


# What must exist for a list to show a row (a list of nothing shows no patient).
BEFORE: dict[str, Callable[[World], None]] = {
    "GET /api/v1/consultations": _consultation_listed,
    "GET /api/v1/referrals": _referral_sent,
    "GET /api/v1/referrals/arrivals": _arrival_due,
    "GET /api/v1/records": _document_filed,
}


def test_every_read_operation_is_classified() -> None:
    unlisted = [op.id for op in READS if op.id not in PATIENT_DATA and op.id not in NO_PATIENT_DATA]
    assert not unlisted, (
        f"say in {__file__} whether these answer patient data (PATIENT_DATA, with the event "
        f"their selector records) or not (NO_PATIENT_DATA, with why): {unlisted}"
    )
    stale = [key for key in (*PATIENT_DATA, *NO_PATIENT_DATA) if key not in {o.id for o in READS}]
    assert not stale, f"no longer in the API: {stale}"


def events_during(send: Callable[[], Any]) -> tuple[Any, list[AuditEvent]]:
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    answer = send()
    return answer, list(AuditEvent.objects.filter(id__gt=last).order_by("id"))


def assert_one_read(events: list[AuditEvent], kind: str, resource_type: str) -> None:
    action = resource_action(resource_type, kind)
    mine = [
        e
        for e in events
        if e.action == action
        and e.resource_type == resource_type
        and e.outcome == AuditOutcome.SUCCESS
    ]
    said = [(e.action, e.resource_type, e.resource_id) for e in events]
    assert len(mine) == 1, f"expected one {kind} of {resource_type}, got {said}"
    repeated = [
        k for k, n in Counter(said).items() if n > 1 and k[0].endswith((".read", ".search"))
    ]
    assert not repeated, f"recorded more than once: {repeated}"


@pytest.mark.parametrize("op", [o for o in READS if o.id in PATIENT_DATA], ids=lambda o: o.id)
def test_an_operation_answering_patient_data_records_one_read(op: Operation) -> None:
    w = world_build(ROLES.get(op.id, "requester"))
    if op.id in BEFORE:
        BEFORE[op.id](w)
    call = call_build(op, w)
    client = Client(headers={"authorization": f"Bearer {w.token_key}"})
    answer, events = events_during(lambda: client.get(call.url, call.query or None))
    assert answer.status_code == 200, (answer.status_code, answer.content[:300])
    kind, resource_type = PATIENT_DATA[op.id]
    assert_one_read(events, kind, resource_type)
