from __future__ import annotations

import datetime as dt

import pytest

from xietong.accounts.tests.factories import make_actor
from xietong.core.actor import Actor
from xietong.core.errors import Conflict, ValidationFailed
from xietong.core.models import AuditEvent
from xietong.patients.grants import patient_access_grant
from xietong.patients.tests.factories import institution_of, make_patient
from xietong.records.models import ClinicalDocument, DocumentStatus, RetentionClass
from xietong.records.selectors import documents_for_patient
from xietong.records.services import (
    document_mark_in_error,
    document_replace,
    document_store_generated,
    document_upload,
)
from xietong.records.tests.helpers import html_bytes, jpeg_bytes, pdf, pdf_bytes, stored_files

pytestmark = pytest.mark.django_db


def _filed(source: str = "") -> tuple[Actor, ClinicalDocument]:
    doctor = make_actor("requester")
    patient = make_patient(institution_of(doctor))
    document = document_upload(
        actor=doctor, patient=patient, kind="lab_report", title="肝功能", file=pdf(),
        clinical_date=dt.date(2026, 3, 2), source=source,
    )  # fmt: skip
    return doctor, document


def test_replacement_supersedes_the_old_document() -> None:
    doctor, old = _filed(source="referral:9")
    new = document_replace(actor=doctor, document=old, file=pdf("v2.pdf"), title="肝功能（更正）")
    old.refresh_from_db()
    assert old.status == DocumentStatus.SUPERSEDED
    assert new.supersedes == old and new.status == DocumentStatus.CURRENT
    assert (new.kind, new.source, new.clinical_date) == (
        "lab_report",
        "referral:9",
        old.clinical_date,
    )
    listed = documents_for_patient(actor=doctor, patient=old.patient)
    assert list(listed) == [new]
    everything = documents_for_patient(actor=doctor, patient=old.patient, include_inactive=True)
    assert set(everything) == {old, new}
    # The old version stays readable.
    with old.file.open("rb") as handle:
        assert handle.read() == pdf_bytes()


def test_a_superseded_document_cannot_be_replaced_again_and_keeps_no_file() -> None:
    doctor, old = _filed()
    stale = ClinicalDocument.objects.get(pk=old.pk)
    document_replace(actor=doctor, document=old, file=pdf("v2.pdf"))
    with pytest.raises(Conflict):
        document_replace(actor=doctor, document=stale, file=pdf("v3.pdf"))
    with pytest.raises(Conflict):
        document_replace(actor=doctor, document=ClinicalDocument.objects.get(pk=old.pk), file=pdf())
    assert ClinicalDocument.objects.count() == 2
    assert len(stored_files()) == 2


def test_another_institution_that_sees_the_patient_cannot_change_the_document() -> None:
    doctor, document = _filed()
    expert = make_actor("expert")
    patient_access_grant(
        actor=doctor, patient=document.patient, user_id=expert.user_id, source="consultation:1"
    )
    # Visible to them, but they are the wrong party to change it: a conflict, not a 403.
    with pytest.raises(Conflict):
        document_mark_in_error(actor=expert, document=document, reason="wrong patient")
    with pytest.raises(Conflict):
        document_replace(actor=expert, document=document, file=pdf())
    assert ClinicalDocument.objects.get(pk=document.pk).status == DocumentStatus.CURRENT


def test_mark_in_error_needs_a_reason_and_keeps_the_document() -> None:
    doctor, document = _filed()
    with pytest.raises(ValidationFailed) as caught:
        document_mark_in_error(actor=doctor, document=document, reason="  ")
    assert "reason" in caught.value.fields
    document_mark_in_error(actor=doctor, document=document, reason="传错了患者")
    document.refresh_from_db()
    assert document.status == DocumentStatus.ENTERED_IN_ERROR
    assert document.error_reason == "传错了患者"
    assert list(documents_for_patient(actor=doctor, patient=document.patient)) == []
    with pytest.raises(Conflict):
        document_mark_in_error(actor=doctor, document=document, reason="again")
    event = AuditEvent.objects.get(
        action="document_reference.update", resource_type="DocumentReference"
    )
    assert event.detail == {"status": "entered-in-error", "reason": "传错了患者"}


def test_generated_document_is_filed_with_its_source() -> None:
    expert = make_actor("expert")
    patient = make_patient(institution_of(expert))
    document = document_store_generated(
        actor=expert, patient=patient, kind="consult_opinion", title="会诊意见",
        content=pdf_bytes(), content_type="application/pdf", source="consultation:42",
    )  # fmt: skip
    assert document.content_type == "application/pdf" and document.source == "consultation:42"
    with pytest.raises(ValidationFailed):
        document_store_generated(
            actor=expert, patient=patient, kind="referral_slip", title="转诊单",
            content=html_bytes(), content_type="application/pdf",
        )  # fmt: skip
    with pytest.raises(ValidationFailed):
        document_store_generated(
            actor=expert, patient=patient, kind="referral_slip", title="转诊单",
            content=jpeg_bytes(), content_type="application/pdf",
        )  # fmt: skip
    assert len(stored_files()) == 1


def test_keep_until_follows_the_retention_class(settings) -> None:
    doctor, document = _filed()
    filed = document.created_at.date()
    assert document.retention == RetentionClass.OUTPATIENT
    assert document.keep_until == filed.replace(year=filed.year + 15)
    document.retention = RetentionClass.INPATIENT
    assert document.keep_until == filed.replace(year=filed.year + 30)
    settings.XT_RETENTION_INPATIENT_YEARS = 35
    assert document.keep_until == filed.replace(year=filed.year + 35)
    recording = document_upload(
        actor=doctor, patient=document.patient, kind="recording", title="会诊录像截图",
        file=pdf(),
    )  # fmt: skip
    assert recording.retention == RetentionClass.AUDIO_VIDEO
    assert recording.keep_until == filed.replace(year=filed.year + 3)
