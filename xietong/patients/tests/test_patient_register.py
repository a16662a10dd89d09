from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import translation

from xietong.accounts.tests.factories import make_actor
from xietong.core.errors import NotFound, NotPermitted, ValidationFailed
from xietong.core.events import event_subscribe
from xietong.core.models import AuditEvent
from xietong.directory.tests.factories import RegionFactory
from xietong.patients.models import (
    CareReason,
    CareRelationship,
    IdentifierSystem,
    IdentityConflict,
    Patient,
    PatientIdentifier,
    Sex,
)
from xietong.patients.services import patient_identifier_add, patient_register
from xietong.patients.tests.factories import (
    an_institution,
    institution_of,
    make_patient,
    resident_id_for,
)

pytestmark = pytest.mark.django_db

WOMAN_1949 = "11010519491231002X"
_events: list[tuple[str, dict[str, Any]]] = []


@event_subscribe("patient.registered")
def _remember(name: str, payload: dict[str, Any]) -> None:
    _events.append((name, payload))


@pytest.fixture
def events() -> list[tuple[str, dict[str, Any]]]:
    _events.clear()
    return _events


def _fields(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, list[str]]:
    with translation.override("en"):
        return {k: [str(m) for m in v] for k, v in exc.value.fields.items()}


def test_resident_id_gives_birth_date_and_sex(
    events: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    actor = make_actor("requester")
    with django_capture_on_commit_callbacks(execute=True):
        patient, created = patient_register(
            actor=actor, name=" 王芳 ", resident_id="11010519491231002x"
        )
    assert created
    assert (patient.name, patient.birth_date, patient.sex) == ("王芳", dt.date(1949, 12, 31), "2")
    assert patient.resident_id == WOMAN_1949
    care = CareRelationship.objects.get(patient=patient)
    assert (care.institution_id, care.reason) == (actor.institution_id, CareReason.REGISTERED)
    assert PatientIdentifier.objects.filter(
        patient=patient, system=IdentifierSystem.RESIDENT_ID, value=WOMAN_1949
    ).exists()
    event = AuditEvent.objects.get(action="patient.create")
    assert (event.patient_id, event.resource_type, event.username) == (
        patient.pk,
        "Patient",
        actor.username,
    )
    assert events == [
        (
            "patient.registered",
            {
                "patient_id": patient.pk,
                "patient_uuid": str(patient.uuid),
                "institution_id": actor.institution_id,
                "created": True,
            },
        )
    ]


def test_second_institution_gets_the_same_patient_in_its_care() -> None:
    first = make_actor("requester")
    second = make_actor("referral_desk")
    patient, _ = patient_register(actor=first, name="王芳", resident_id=WOMAN_1949)
    again, created = patient_register(
        actor=second, name="王芳", resident_id=WOMAN_1949, phone="13812345678"
    )
    assert not created
    assert again.pk == patient.pk
    assert Patient.objects.count() == 1
    assert set(CareRelationship.objects.values_list("institution_id", flat=True)) == {
        first.institution_id,
        second.institution_id,
    }
    # The second institution keeps its own way of reaching the patient; the index record
    # (the first institution's) is not changed by it.
    care = CareRelationship.objects.get(institution_id=institution_of(second).pk)
    assert care.phone == "13812345678"
    patient.refresh_from_db()
    assert patient.phone == ""
    update = AuditEvent.objects.get(action="patient.update")
    assert update.patient_id == patient.pk
    assert update.detail["care_added"] is True
    assert update.detail["known_elsewhere"] is True


def test_registering_twice_at_one_institution_adds_no_duplicate() -> None:
    actor = make_actor("requester")
    patient_register(actor=actor, name="王芳", resident_id=WOMAN_1949)
    _, created = patient_register(actor=actor, name="王芳", resident_id=WOMAN_1949)
    assert not created
    assert CareRelationship.objects.count() == 1


def test_existing_record_is_not_overwritten_by_a_second_registration() -> None:
    first = make_actor()
    known, _ = patient_register(
        actor=first, name="王芳", resident_id=WOMAN_1949, phone="13812345678"
    )
    second = make_actor()
    patient, created = patient_register(
        actor=second, name="王方", resident_id=WOMAN_1949, phone="13900000000"
    )
    known.refresh_from_db()
    assert (known.name, known.phone) == ("王芳", "13812345678")
    # Another name under the same resident ID: a record of its own, nothing disclosed, and
    # a data-quality task for a person to decide whether they are one resident.
    assert created and patient.pk != known.pk
    assert (patient.name, patient.phone, patient.resident_id) == ("王方", "13900000000", None)
    assert not CareRelationship.objects.filter(
        patient=known, institution=institution_of(second)
    ).exists()
    conflict = IdentityConflict.objects.get()
    assert (conflict.patient, conflict.known_patient, conflict.fields) == (patient, known, ["name"])
    assert AuditEvent.objects.get(action="patient.identity_conflict").patient_id == patient.pk


def test_sex_and_birth_date_contradicting_the_id_are_refused_together() -> None:
    actor = make_actor()
    with pytest.raises(ValidationFailed) as caught:
        patient_register(
            actor=actor,
            name="王芳",
            resident_id=WOMAN_1949,
            sex=Sex.MALE,
            birth_date=dt.date(1950, 1, 1),
        )
    fields = _fields(caught)
    assert fields == {
        "sex": ["The resident ID says female."],
        "birth_date": ["The resident ID says the birth date is 1949-12-31."],
    }
    assert Patient.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_every_field_error_is_reported_at_once() -> None:
    with pytest.raises(ValidationFailed) as caught:
        patient_register(
            actor=make_actor(),
            name="  ",
            resident_id="110105194912310021",
            phone="12345",
            address_region="999999",
            ethnicity="汉" * 21,
        )
    fields = _fields(caught)
    assert set(fields) == {"name", "resident_id", "phone", "address_region", "ethnicity"}
    assert fields["name"] == ["This field is required."]
    assert "check character" in fields["resident_id"][0]
    assert fields["address_region"] == ["No region has the code 999999."]
    assert Patient.objects.count() == 0


def test_errors_are_in_chinese_by_default() -> None:
    with pytest.raises(ValidationFailed) as caught, translation.override("zh-hans"):
        patient_register(actor=make_actor(), name="", sex="1", birth_date=dt.date(1980, 1, 1))
    with translation.override("zh-hans"):
        assert str(caught.value.fields["name"][0]) == "此项为必填项。"


def test_without_an_id_sex_and_birth_date_are_needed() -> None:
    with pytest.raises(ValidationFailed) as caught:
        patient_register(actor=make_actor(), name="李四")
    assert set(_fields(caught)) == {"sex", "birth_date"}
    patient, created = patient_register(
        actor=make_actor(), name="李四", sex="1", birth_date="1980-02-29"
    )
    assert created and patient.resident_id is None and patient.birth_date == dt.date(1980, 2, 29)


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (dt.date(2999, 1, 1), "The birth date cannot be in the future."),
        (dt.date(1899, 12, 31), "The birth date cannot be before 1900."),
    ],
)
def test_impossible_birth_dates_are_refused(born: dt.date, message: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        patient_register(actor=make_actor(), name="李四", sex="1", birth_date=born)
    assert _fields(caught) == {"birth_date": [message]}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("138 1234 5678", "13812345678"),
        ("+86 139-0000-1111", "13900001111"),
        ("0371 6543 2100", "0371-65432100"),
        ("010-62345678", "010-62345678"),
        ("(020)87654321", "020-87654321"),
    ],
)
def test_phone_numbers_are_stored_in_one_form(typed: str, stored: str) -> None:
    patient, _ = patient_register(
        actor=make_actor(), name="李四", sex="1", birth_date=dt.date(1980, 1, 1), phone=typed
    )
    assert patient.phone == stored


@pytest.mark.parametrize("typed", ["12812345678", "1381234567", "65432100", "0371-123", "abc"])
def test_impossible_phone_numbers_are_refused(typed: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        patient_register(
            actor=make_actor(), name="李四", sex="1", birth_date=dt.date(1980, 1, 1), phone=typed
        )
    assert set(_fields(caught)) == {"phone"}


def test_name_longer_than_sixty_characters_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        patient_register(
            actor=make_actor(), name="名" * 61, sex="2", birth_date=dt.date(1990, 1, 1)
        )
    assert _fields(caught) == {"name": ["At most 60 characters."]}


def test_address_region_is_taken_by_its_code() -> None:
    region = RegionFactory(code="410102", name="中原区")
    patient, _ = patient_register(
        actor=make_actor(), name="李四", resident_id=resident_id_for(dt.date(1980, 5, 1)),
        address_region="410102", address="建设路1号",
    )  # fmt: skip
    assert patient.address_region == region


def test_record_number_is_unique_within_the_assigning_institution() -> None:
    hospital = an_institution()
    actor = make_actor(institution=hospital)
    first, _ = patient_register(
        actor=actor, name="甲", sex="1", birth_date=dt.date(1980, 1, 1), mrn="mz-001"
    )
    assert PatientIdentifier.objects.get(system="mrn", patient=first).value == "MZ-001"
    with pytest.raises(ValidationFailed) as caught:
        patient_register(
            actor=make_actor(institution=hospital), name="乙", sex="2",
            birth_date=dt.date(1981, 1, 1), mrn="MZ-001",
        )  # fmt: skip
    assert _fields(caught) == {
        "mrn": ["Your institution already uses this record number for another patient."]
    }
    # Another hospital numbers its own records.
    other, _ = patient_register(
        actor=make_actor(), name="乙", sex="2", birth_date=dt.date(1981, 1, 1), mrn="MZ-001"
    )
    assert other.pk != first.pk


@pytest.mark.parametrize("role", ["supervisor", "learner", "pharmacist", "platform_admin"])
def test_roles_that_do_not_register_are_refused(role: str) -> None:
    with pytest.raises(NotPermitted):
        patient_register(actor=make_actor(role), name="王芳", resident_id=WOMAN_1949)
    assert Patient.objects.count() == 0


def test_insurance_card_and_record_number_are_added() -> None:
    actor = make_actor("requester")
    patient = make_patient(institution_of(actor))
    card = patient_identifier_add(actor=actor, patient=patient, system="insurance", value="yb123")
    assert (card.value, card.assigner_id) == ("YB123", None)
    mrn = patient_identifier_add(actor=actor, patient=patient, system="mrn", value="ZY-9")
    assert mrn.assigner_id == actor.institution_id
    with pytest.raises(ValidationFailed) as caught:
        patient_identifier_add(actor=actor, patient=patient, system="mrn", value="zy-9")
    assert _fields(caught) == {"value": ["This patient already has this identifier."]}
    other = make_patient(institution_of(actor))
    with pytest.raises(ValidationFailed) as caught:
        patient_identifier_add(actor=actor, patient=other, system="insurance", value="YB123")
    assert _fields(caught) == {"value": ["This identifier belongs to another patient."]}
    with pytest.raises(ValidationFailed) as caught:
        patient_identifier_add(actor=actor, patient=other, system="resident-id", value="")
    assert set(_fields(caught)) == {"system", "value"}
    assert AuditEvent.objects.filter(action="patient.update", patient_id=patient.pk).count() == 2


def test_identifiers_of_a_patient_out_of_sight_cannot_be_added() -> None:
    patient = make_patient(an_institution())
    with pytest.raises(NotFound):
        patient_identifier_add(actor=make_actor(), patient=patient, system="mrn", value="A1")
    assert not PatientIdentifier.objects.filter(system="mrn").exists()


postgres_only = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL: SQLite serialises writers, so registrations cannot race",
)


def _in_thread(target: Any, errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            target()
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    return threading.Thread(target=run)


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_racing_registrations_of_one_id_end_with_one_patient() -> None:
    actors = [make_actor("requester") for _ in range(2)]
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []
    first_inserted = threading.Event()
    second_started = threading.Event()

    def first() -> None:
        # Holds its new patient uncommitted while the second registration looks, finds
        # nothing, and runs into the unique constraint.
        with transaction.atomic():
            patient, created = patient_register(
                actor=actors[0], name="王芳", resident_id=WOMAN_1949
            )
            first_inserted.set()
            second_started.wait(10)
            time.sleep(0.3)  # lets the second reach the insert and wait on our row
        results.append((patient.pk, created))

    def second() -> None:
        first_inserted.wait(10)
        second_started.set()
        patient, created = patient_register(actor=actors[1], name="王芳", resident_id=WOMAN_1949)
        results.append((patient.pk, created))

    threads = [_in_thread(first, errors), _in_thread(second, errors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert Patient.objects.filter(resident_id=WOMAN_1949).count() == 1
    assert sorted(created for _, created in results) == [False, True]
    assert len({pk for pk, _ in results}) == 1
    assert CareRelationship.objects.filter(patient__resident_id=WOMAN_1949).count() == 2


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_many_simultaneous_registrations_of_one_id_end_with_one_patient() -> None:
    actors = [make_actor("requester") for _ in range(6)]
    start = threading.Barrier(len(actors))
    errors: list[BaseException] = []
    created: list[bool] = []

    def register(actor: Any) -> Any:
        def run() -> None:
            start.wait(10)
            created.append(patient_register(actor=actor, name="王芳", resident_id=WOMAN_1949)[1])

        return run

    threads = [_in_thread(register(a), errors) for a in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert Patient.objects.filter(resident_id=WOMAN_1949).count() == 1
    assert created.count(True) == 1
    assert CareRelationship.objects.filter(patient__resident_id=WOMAN_1949).count() == len(actors)
