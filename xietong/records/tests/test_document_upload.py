from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xietong.accounts.tests.factories import make_actor
from xietong.core.errors import NotFound, NotPermitted, ValidationFailed
from xietong.core.events import event_subscribe
from xietong.core.models import AuditEvent
from xietong.patients.tests.factories import institution_of, make_patient
from xietong.records.models import ClinicalDocument, DocumentKind, DocumentStatus
from xietong.records.services import (
    DocumentFile,
    FileTooLarge,
    document_upload,
    documents_upload,
    documents_upload_each,
)
from xietong.records.tests.helpers import (
    exe_bytes,
    html_bytes,
    jpeg_bytes,
    pdf,
    pdf_bytes,
    png_bytes,
    stored_files,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("content", "declared_name", "declared_type", "expected"),
    [
        (pdf_bytes(), "lab.pdf", "application/pdf", "application/pdf"),
        (jpeg_bytes(), "photo.jpg", "image/jpeg", "image/jpeg"),
        (png_bytes(), "scan.png", "image/png", "image/png"),
        # A phone may name a photo anything: the content decides.
        (jpeg_bytes(), "IMG_0001", "application/octet-stream", "image/jpeg"),
    ],
)
def test_upload_keeps_each_document_type_judged_by_content(
    content: bytes, declared_name: str, declared_type: str, expected: str
) -> None:
    doctor = make_actor("requester")
    patient = make_patient(institution_of(doctor))
    document = document_upload(
        actor=doctor, patient=patient, kind=DocumentKind.LAB_REPORT, title="血常规",
        file=upload(content, name=declared_name, content_type=declared_type),
        clinical_date=dt.date(2026, 5, 1), source="consultation:abc",
    )  # fmt: skip
    document.refresh_from_db()
    assert document.content_type == expected
    assert document.size == len(content)
    assert document.status == DocumentStatus.CURRENT
    assert document.institution_id == doctor.institution_id
    assert document.created_by_id == doctor.user_id
    assert document.file.name.startswith("records/")
    assert declared_name not in document.file.name  # our own name, not the uploader's
    with document.file.open("rb") as handle:
        assert handle.read() == content
    event = AuditEvent.objects.get(
        action="document_reference.create", resource_type="DocumentReference"
    )
    assert event.patient_id == patient.pk
    assert event.detail["sha256"] == document.sha256


@pytest.mark.parametrize(
    "content", [exe_bytes(), html_bytes(), b"GIF89a\x01\x00\x01\x00"], ids=["exe", "html", "gif"]
)
def test_other_content_renamed_pdf_is_refused_and_nothing_is_kept(content: bytes) -> None:
    doctor = make_actor("requester")
    patient = make_patient(institution_of(doctor))
    with pytest.raises(ValidationFailed) as caught:
        document_upload(
            actor=doctor, patient=patient, kind="document", title="病历",
            file=upload(content, name="record.pdf", content_type="application/pdf"),
        )  # fmt: skip
    assert "file" in caught.value.fields
    assert ClinicalDocument.objects.count() == 0
    assert stored_files() == []


def test_oversize_file_is_refused(settings) -> None:
    settings.XT_UPLOAD_MAX_MB = 1
    doctor = make_actor("requester")
    patient = make_patient(institution_of(doctor))
    with pytest.raises(FileTooLarge) as caught:
        document_upload(
            actor=doctor, patient=patient, kind="document", title="CT",
            file=pdf(size=1024 * 1024 + 1),
        )  # fmt: skip
    assert caught.value.status == 413
    assert "1 MB" in str(caught.value.message)
    assert ClinicalDocument.objects.count() == 0 and stored_files() == []


def test_empty_file_and_missing_fields_are_listed() -> None:
    doctor = make_actor("requester")
    patient = make_patient(institution_of(doctor))
    with pytest.raises(ValidationFailed) as caught:
        document_upload(
            actor=doctor, patient=patient, kind="x-ray", title=" ",
            file=pdf(), clinical_date=timezone.localdate() + dt.timedelta(days=1),
        )  # fmt: skip
    assert set(caught.value.fields) == {"kind", "title", "clinical_date"}
    with pytest.raises(ValidationFailed) as caught:
        document_upload(
            actor=doctor, patient=patient, kind="document", title="空", file=upload(b"")
        )
    assert "file" in caught.value.fields
    assert ClinicalDocument.objects.count() == 0 and stored_files() == []


def test_patient_the_actor_cannot_see_is_not_found_and_nothing_stored() -> None:
    doctor = make_actor("requester")
    elsewhere = make_patient(institution_of(make_actor("requester")))
    with pytest.raises(NotFound):
        document_upload(actor=doctor, patient=elsewhere, kind="document", title="病历", file=pdf())
    assert ClinicalDocument.objects.count() == 0
    assert stored_files() == []


def test_pharmacist_reads_but_does_not_file() -> None:
    pharmacist = make_actor("pharmacist")
    patient = make_patient(institution_of(pharmacist))
    with pytest.raises(NotPermitted):
        document_upload(
            actor=pharmacist, patient=patient, kind="document", title="处方", file=pdf()
        )
    assert stored_files() == []


def test_uploaded_event_is_emitted_after_commit(django_capture_on_commit_callbacks) -> None:
    seen: list[dict[str, object]] = []

    @event_subscribe("record.uploaded")
    def _listen(name: str, payload: dict[str, object]) -> None:
        seen.append(payload)

    doctor = make_actor("requester")
    patient = make_patient(institution_of(doctor))
    with django_capture_on_commit_callbacks(execute=True):
        document = document_upload(
            actor=doctor, patient=patient, kind="document", title="病历", file=pdf(),
            source="consultation:1",
        )  # fmt: skip
    assert {"document_id": document.pk, "patient_id": patient.pk, "kind": "document",
            "source": "consultation:1"} in seen  # fmt: skip


def test_several_files_are_filed_together_or_not_at_all() -> None:
    doctor = make_actor("requester")
    patient = make_patient(institution_of(doctor))
    pages = [upload(jpeg_bytes(), name=f"p{i}.jpg", content_type="image/jpeg") for i in (1, 2)]
    filed = documents_upload(
        actor=doctor, patient=patient, kind="paper_photo", title="住院病历", files=pages
    )
    assert [d.title for d in filed] == ["住院病历 (1/2)", "住院病历 (2/2)"]
    assert len(stored_files()) == 2

    bad = [pdf(), upload(exe_bytes(), name="virus.pdf")]
    with pytest.raises(ValidationFailed) as caught:
        documents_upload(actor=doctor, patient=patient, kind="document", title="x", files=bad)
    assert "virus.pdf" in str(caught.value.fields["file"][0])
    assert ClinicalDocument.objects.count() == 2 and len(stored_files()) == 2


def test_files_filed_together_each_keep_their_own_title_and_date() -> None:
    doctor = make_actor("requester")
    patient = make_patient(institution_of(doctor))
    filed = documents_upload_each(
        actor=doctor,
        patient=patient,
        kind="exam_report",
        items=[
            DocumentFile(pdf(), "血常规", dt.date(2026, 5, 1)),
            DocumentFile(upload(jpeg_bytes(), name="a.jpg"), "胸片报告", dt.date(2026, 4, 20)),
        ],
    )
    assert [(d.title, d.clinical_date) for d in filed] == [
        ("血常规", dt.date(2026, 5, 1)),
        ("胸片报告", dt.date(2026, 4, 20)),
    ]
    assert len(stored_files()) == 2


def test_each_file_is_judged_and_every_problem_named_before_any_is_filed() -> None:
    doctor = make_actor("requester")
    patient = make_patient(institution_of(doctor))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationFailed) as caught:
        documents_upload_each(
            actor=doctor,
            patient=patient,
            kind="document",
            items=[
                DocumentFile(pdf(), "好的", None),
                DocumentFile(pdf(), " ", tomorrow),
                DocumentFile(upload(exe_bytes(), name="virus.pdf"), "病历", None),
                DocumentFile(None, "没有文件", None),
            ],
        )
    assert set(caught.value.fields) == {
        "items.1.title",
        "items.1.clinical_date",
        "items.2.file",
        "items.3.file",
    }
    assert ClinicalDocument.objects.count() == 0 and stored_files() == []
    with pytest.raises(ValidationFailed) as caught:
        documents_upload_each(
            actor=doctor,
            patient=patient,
            kind="x-ray",
            items=[DocumentFile(pdf(), "一", None), DocumentFile(pdf(), "二", None)],
        )
    assert list(caught.value.fields) == ["kind"] and len(caught.value.fields["kind"]) == 1


def test_an_oversize_file_of_a_batch_is_its_own_error(settings) -> None:
    settings.XT_UPLOAD_MAX_MB = 1
    doctor = make_actor("requester")
    patient = make_patient(institution_of(doctor))
    with pytest.raises(ValidationFailed) as caught:
        documents_upload_each(
            actor=doctor,
            patient=patient,
            kind="document",
            items=[
                DocumentFile(pdf(), "小", None),
                DocumentFile(pdf(size=1024 * 1024 + 1), "大", None),
            ],
        )
    assert list(caught.value.fields) == ["items.1.file"]
    assert ClinicalDocument.objects.count() == 0 and stored_files() == []
