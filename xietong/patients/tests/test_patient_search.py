from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.utils import translation

from xietong.accounts.tests.factories import make_actor
from xietong.core.actor import Actor
from xietong.core.errors import NotFound, ValidationFailed
from xietong.core.models import AuditEvent
from xietong.patients.models import CareReason, CareRelationship, PatientIdentifier
from xietong.patients.selectors import get_patient_for, patient_search, patients_recent_for
from xietong.patients.tests.factories import (
    an_institution,
    institution_of,
    make_patient,
    resident_id_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def doctor() -> Actor:
    return make_actor("requester")


def test_box_finds_a_resident_id_typed_in_lower_case(doctor: Actor) -> None:
    number = resident_id_for(dt.date(1975, 3, 8), seq=21, sex="2")
    patient = make_patient(institution_of(doctor), resident_id=number, sex="2")
    make_patient(institution_of(doctor))
    assert patient_search(actor=doctor, q=number.lower()) == [patient]


def test_box_finds_a_phone_however_it_is_typed(doctor: Actor) -> None:
    patient = make_patient(institution_of(doctor), phone="13812345678")
    assert patient_search(actor=doctor, q="138 1234 5678") == [patient]
    assert patient_search(actor=doctor, phone="+86 13812345678") == [patient]


def test_box_finds_names_by_their_beginning(doctor: Actor) -> None:
    inst = institution_of(doctor)
    zhang_san = make_patient(inst, name="张三")
    zhang_sanfeng = make_patient(inst, name="张三丰")
    make_patient(inst, name="李四")
    assert patient_search(actor=doctor, q="张三") == [zhang_san, zhang_sanfeng]


def test_name_with_birth_date_narrows(doctor: Actor) -> None:
    inst = institution_of(doctor)
    older = make_patient(inst, name="张三", birth_date=dt.date(1950, 1, 1))
    make_patient(inst, name="张三", birth_date=dt.date(1990, 1, 1))
    assert patient_search(actor=doctor, name="张三", birth_date="1950-01-01") == [older]
    assert patient_search(actor=doctor, q="张三", birth_date=dt.date(1950, 1, 1)) == [older]


def test_box_finds_a_record_number(doctor: Actor) -> None:
    patient = make_patient(institution_of(doctor))
    PatientIdentifier.objects.create(
        patient=patient, system="mrn", value="MZ0042", assigner_id=doctor.institution_id
    )
    assert patient_search(actor=doctor, q="mz0042") == [patient]


def test_patients_of_other_institutions_are_not_found(doctor: Actor) -> None:
    elsewhere = make_patient(an_institution(), name="张三")
    assert patient_search(actor=doctor, q="张三") == []
    assert patient_search(actor=doctor, resident_id=elsewhere.resident_id) == []
    assert patient_search(actor=doctor, phone=elsewhere.phone) == []
    # Once in the institution's care (a consultation, say), the patient is found.
    CareRelationship.objects.create(
        patient=elsewhere, institution=institution_of(doctor), reason=CareReason.CONSULTATION
    )
    assert patient_search(actor=doctor, resident_id=elsewhere.resident_id) == [elsewhere]


def test_search_is_audited_once_with_the_resident_id_masked(doctor: Actor) -> None:
    number = resident_id_for(dt.date(1975, 3, 8), seq=21)
    make_patient(institution_of(doctor), resident_id=number)
    patient_search(actor=doctor, q=number)
    event = AuditEvent.objects.get(action="patient.search")
    assert event.username == doctor.username
    assert event.detail["criteria"] == {
        "q_kind": "resident_id",
        "q": number[:6] + "********" + number[-4:],
    }
    assert event.detail["count"] == 1
    assert number not in json.dumps(event.detail)


def test_nothing_is_searched_without_a_criterion(doctor: Actor) -> None:
    make_patient(institution_of(doctor))
    assert patient_search(actor=doctor, q="  ") == []
    assert not AuditEvent.objects.exists()


def test_limit_caps_the_results(doctor: Actor) -> None:
    inst = institution_of(doctor)
    for _ in range(5):
        make_patient(inst, name="王五")
    assert len(patient_search(actor=doctor, q="王", limit=3)) == 3


def test_bad_birth_date_is_a_field_error(doctor: Actor) -> None:
    with pytest.raises(ValidationFailed) as caught:
        patient_search(actor=doctor, name="王", birth_date="1990-13-01")
    with translation.override("en"):
        assert [str(m) for m in caught.value.fields["birth_date"]] == [
            "Enter a valid date (YYYY-MM-DD)."
        ]


@pytest.mark.parametrize("role", ["supervisor", "platform_admin", "learner"])
def test_roles_without_patient_access_find_nothing_and_it_is_recorded(role: str) -> None:
    actor = make_actor(role)
    patient = make_patient(institution_of(actor), name="张三")
    assert patient_search(actor=actor, q="张三") == []
    assert patient_search(actor=actor, resident_id=patient.resident_id) == []
    refused = AuditEvent.objects.filter(action="patient.search", username=actor.username)
    assert [e.outcome for e in refused] == [4, 4]


def test_recent_patients_are_newest_first(doctor: Actor) -> None:
    inst = institution_of(doctor)
    first, second = make_patient(inst), make_patient(inst)
    make_patient(an_institution())
    assert patients_recent_for(actor=doctor, limit=10) == [second, first]
    assert patients_recent_for(actor=make_actor("supervisor", institution=inst), limit=10) == []


def test_reading_a_patient_is_audited(doctor: Actor) -> None:
    patient = make_patient(institution_of(doctor))
    assert get_patient_for(actor=doctor, patient_uuid=str(patient.uuid)) == patient
    event = AuditEvent.objects.get(action="patient.read")
    assert (event.patient_id, event.outcome, event.resource_id) == (
        patient.pk,
        0,
        str(patient.uuid),
    )


def test_patient_out_of_sight_is_not_found_and_the_attempt_recorded(doctor: Actor) -> None:
    patient = make_patient(an_institution())
    with pytest.raises(NotFound):
        get_patient_for(actor=doctor, patient_uuid=patient.uuid)
    with pytest.raises(NotFound):
        get_patient_for(actor=doctor, patient_uuid=uuid.uuid4())
    with pytest.raises(NotFound):
        get_patient_for(actor=doctor, patient_uuid="not-a-uuid")
    refused = list(AuditEvent.objects.filter(action="patient.read").order_by("seq"))
    assert [(e.outcome, e.detail) for e in refused] == [(4, {"reason": "not visible"})] * 3
    assert refused[0].patient_id == patient.pk
    assert refused[1].patient_id is None


@pytest.mark.django_db(transaction=True)
def test_refused_read_stays_on_record_after_the_request_fails() -> None:
    doctor = make_actor("requester")
    patient = make_patient(an_institution())
    with pytest.raises(NotFound):
        get_patient_for(actor=doctor, patient_uuid=patient.uuid)
    # Committed: visible from a fresh query outside any test transaction.
    assert AuditEvent.objects.filter(
        action="patient.read", outcome=4, patient_id=patient.pk
    ).exists()


def test_auditor_finds_a_patients_events_by_the_uuid_in_the_address() -> None:
    from xietong.core.selectors import AuditFilters, audit_events_for

    doctor = make_actor("requester")
    patient = make_patient(institution_of(doctor))
    get_patient_for(actor=doctor, patient_uuid=patient.uuid)
    admin = make_actor("platform_admin")

    events = audit_events_for(actor=admin, filters=AuditFilters(patient=str(patient.uuid)))

    assert [(e.action, e.patient_id) for e in events] == [("patient.read", patient.pk)]
