from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation

from xietong.accounts.tests.factories import make_actor
from xietong.core.actor import Actor
from xietong.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from xietong.core.models import AuditEvent
from xietong.patients.models import Consent, Patient
from xietong.patients.selectors import has_active_consent
from xietong.patients.services import consent_record, consent_withdraw
from xietong.patients.tests.factories import (
    an_institution,
    institution_of,
    jpeg_bytes,
    make_patient,
    pdf_bytes,
    png_bytes,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def doctor() -> Actor:
    return make_actor("requester")


@pytest.fixture
def patient(doctor: Actor) -> Patient:
    return make_patient(institution_of(doctor), birth_date=dt.date(1960, 5, 1))


def _record(actor: Actor, patient: Patient, **overrides: Any) -> Consent:
    values: dict[str, Any] = {
        "kind": "telemedicine",
        "signed_on": timezone.localdate(),
        "signed_by": "王芳",
        "relationship": "self",
        "scan": upload(pdf_bytes()),
    }
    values.update(overrides)
    return consent_record(actor=actor, patient=patient, **values)


def _fields(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, list[str]]:
    with translation.override("en"):
        return {k: [str(m) for m in v] for k, v in exc.value.fields.items()}


def _stored_files(settings: Any) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_pdf_consent_is_filed_with_its_hash(doctor: Actor, patient: Patient, settings: Any) -> None:
    content = pdf_bytes()
    consent = _record(doctor, patient, scan=upload(content, name="我的扫描件.pdf"))
    assert consent.scan_sha256 == hashlib.sha256(content).hexdigest()
    assert consent.scan_content_type == "application/pdf"
    assert consent.scan.name.startswith("consents/") and consent.scan.name.endswith(".pdf")
    assert "扫描件" not in consent.scan.name
    with consent.scan.open("rb") as f:
        assert f.read() == content
    assert (consent.institution_id, consent.recorded_by_id) == (
        doctor.institution_id,
        doctor.user_id,
    )
    event = AuditEvent.objects.get(action="consent.create", resource_type="Consent")
    assert event.patient_id == patient.pk
    assert event.detail["sha256"] == consent.scan_sha256
    assert has_active_consent(patient, "telemedicine")
    assert not has_active_consent(patient, "recording")


@pytest.mark.parametrize(
    ("content", "name", "kind", "extension"),
    [
        (png_bytes(), "scan.pdf", "image/png", ".png"),
        (jpeg_bytes(), "scan.png", "image/jpeg", ".jpg"),
        (pdf_bytes(), "scan.jpg", "application/pdf", ".pdf"),
    ],
)
def test_type_is_judged_by_content_not_name(
    doctor: Actor, patient: Patient, content: bytes, name: str, kind: str, extension: str
) -> None:
    consent = _record(doctor, patient, scan=upload(content, name=name, content_type="text/plain"))
    assert consent.scan_content_type == kind
    assert consent.scan.name.endswith(extension)


def test_a_file_that_only_claims_to_be_a_pdf_is_refused(
    doctor: Actor, patient: Patient, settings: Any
) -> None:
    fake = upload(b"<html><script>alert(1)</script></html>", name="consent.pdf")
    with pytest.raises(ValidationFailed) as caught:
        _record(doctor, patient, scan=fake)
    assert _fields(caught) == {"scan": ["The scan must be a PDF, JPEG or PNG file."]}
    assert not Consent.objects.exists()
    assert _stored_files(settings) == []


def test_a_scan_over_the_size_limit_is_refused(
    doctor: Actor, patient: Patient, settings: Any
) -> None:
    settings.XT_UPLOAD_MAX_MB = 1
    with pytest.raises(ValidationFailed) as caught:
        _record(doctor, patient, scan=upload(pdf_bytes(1024 * 1024 + 1)))
    assert _fields(caught) == {
        "scan": ["The file is larger than 1 MB. Scan it at a lower resolution."]
    }
    assert _stored_files(settings) == []
    assert _record(doctor, patient, scan=upload(pdf_bytes(1024 * 1024))).pk


def test_every_wrong_field_is_reported_at_once(doctor: Actor, patient: Patient) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _record(
            doctor, patient, kind="surgery", relationship="neighbour", signed_by=" ",
            signed_on=timezone.localdate() + dt.timedelta(days=1), scan=None,
        )  # fmt: skip
    assert _fields(caught) == {
        "kind": ["Select a valid choice."],
        "relationship": ["Select a valid choice."],
        "signed_on": ["The signing date cannot be in the future."],
        "signed_by": ["This field is required."],
        "scan": ["Attach the scanned consent form."],
    }
    assert not Consent.objects.exists()
    assert not AuditEvent.objects.exists()


def test_signed_before_the_patient_was_born_is_refused(doctor: Actor, patient: Patient) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _record(doctor, patient, signed_on=dt.date(1960, 4, 30))
    assert _fields(caught) == {
        "signed_on": ["The signing date cannot be before the patient's birth."]
    }


def test_guardian_signs_for_a_child(doctor: Actor) -> None:
    child = make_patient(institution_of(doctor), birth_date=dt.date(2022, 1, 1))
    consent = _record(doctor, child, signed_by="张父", relationship="parent")
    assert (consent.signed_by, consent.relationship) == ("张父", "parent")


def test_patient_out_of_sight_cannot_get_a_consent(patient: Patient) -> None:
    with pytest.raises(NotFound):
        _record(make_actor("requester", institution=an_institution()), patient)
    assert not Consent.objects.exists()


def test_pharmacist_sees_but_may_not_record(patient: Patient) -> None:
    pharmacist = make_actor("pharmacist", institution=patient.registered_by)
    with pytest.raises(NotPermitted):
        _record(pharmacist, patient)


def test_withdrawn_consent_no_longer_counts(doctor: Actor, patient: Patient) -> None:
    consent = _record(doctor, patient)
    withdrawn = consent_withdraw(actor=doctor, consent=consent, reason="患者本人撤回")
    assert withdrawn.status == "inactive"
    assert withdrawn.withdrawn_at is not None
    assert not has_active_consent(patient, "telemedicine")
    event = AuditEvent.objects.get(action="consent.update", resource_type="Consent")
    assert event.detail == {"status": "inactive", "reason": "患者本人撤回"}
    with pytest.raises(Conflict):
        consent_withdraw(actor=doctor, consent=withdrawn)
