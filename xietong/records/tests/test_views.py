from __future__ import annotations

import re
from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.actors import actor_for_membership
from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import MembershipFactory
from xietong.core.actor import Actor
from xietong.patients.grants import patient_access_grant
from xietong.patients.tests.factories import make_patient
from xietong.records.models import ClinicalDocument, DocumentStatus
from xietong.records.services import document_upload
from xietong.records.tests.helpers import (
    exe_bytes,
    jpeg_bytes,
    pdf,
    pdf_bytes,
    stored_files,
    upload,
)

pytestmark = pytest.mark.django_db


def _signed_in(client: Client, *roles: str, **kwargs: Any) -> tuple[Membership, Actor]:
    membership = cast(Membership, MembershipFactory(roles=list(roles), **kwargs))
    client.force_login(membership.user)
    client.cookies["django_language"] = "en"
    return membership, actor_for_membership(membership)


def _text(response: Any) -> str:
    return str(response.content.decode())


def _summary(response: Any) -> list[str]:
    """The problems listed above the form, as the reader sees them."""
    page = _text(response)
    block = page[
        page.index("data-form-errors>") : page.index("</ul>", page.index("data-form-errors>"))
    ]
    return [" ".join(re.sub(r"<[^>]+>", "", item).split()) for item in block.split("<li>")[1:]]


def _rows(kind: str, *rows: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """What the upload form sends: the batch's kind, and a row (file, title, date) per file."""
    data: dict[str, Any] = {
        "kind": kind,
        "doc-TOTAL_FORMS": str(max(len(rows), 3)),
        "doc-INITIAL_FORMS": "0",
        "doc-MIN_NUM_FORMS": "0",
        "doc-MAX_NUM_FORMS": "20",
        **extra,
    }
    for index, row in enumerate(rows):
        data.update({f"doc-{index}-{name}": value for name, value in row.items()})
    return data


def test_records_page_lists_documents_and_offers_a_phone_camera_upload(client: Client) -> None:
    membership, actor = _signed_in(client, "requester")
    patient = make_patient(membership.institution, name="李四")
    document_upload(actor=actor, patient=patient, kind="lab_report", title="血常规", file=pdf())
    page = _text(client.get(reverse("records:patient", args=[patient.uuid])))
    assert "Records of 李四" in page and "血常规" in page and "laboratory report" in page
    assert 'accept="application/pdf,image/jpeg,image/png"' in page
    assert 'enctype="multipart/form-data"' in page
    # A row per file, each with its own title and date; the phone's camera for each row.
    for index in range(3):
        assert f'name="doc-{index}-file"' in page and f'name="doc-{index}-title"' in page
        assert f'name="doc-{index}-clinical_date"' in page
    assert page.count('capture="environment"') >= 3
    # With the page's script, several files chosen at once each get a row.
    assert "data-pick-input" in page and "multiple" in page


def test_files_uploaded_together_each_keep_their_own_title_and_date(client: Client) -> None:
    membership, _actor = _signed_in(client, "requester")
    patient = make_patient(membership.institution)
    url = reverse("records:patient", args=[patient.uuid])
    photo = upload(jpeg_bytes(), name="IMG_1.jpg", content_type="image/jpeg")
    response = client.post(
        url,
        _rows(
            "exam_report",
            {"file": pdf(), "title": "血常规", "clinical_date": "2026-05-01"},
            {"file": photo, "title": "胸片报告", "clinical_date": "2026-04-20"},
            {"title": "", "clinical_date": "2026-05-01"},  # a row left as it came: skipped
        ),
    )
    assert response.status_code == 302 and response["Location"] == url
    filed = ClinicalDocument.objects.order_by("title")
    assert [(d.title, str(d.clinical_date)) for d in filed] == [
        ("胸片报告", "2026-04-20"),
        ("血常规", "2026-05-01"),
    ]
    assert {d.kind for d in filed} == {"exam_report"}
    page = _text(client.get(url))
    assert "2 documents filed." in page


def test_every_row_that_is_wrong_says_so_and_nothing_is_filed(client: Client) -> None:
    membership, _actor = _signed_in(client, "requester")
    patient = make_patient(membership.institution)
    response = client.post(
        reverse("records:patient", args=[patient.uuid]),
        _rows(
            "document",
            {"file": pdf(), "title": ""},
            {"file": pdf(), "title": "明天的报告", "clinical_date": "2999-01-01"},
            {"title": "没有文件的标题"},
        ),
    )
    assert response.status_code == 422
    assert _summary(response) == [
        "File 1 · Title: This field is required.",
        "File 2 · Date of the examination or visit: The date cannot be in the future.",
        "File 3 · File: Choose a file.",
    ]
    assert _text(response).count('aria-invalid="true"') == 3
    assert ClinicalDocument.objects.count() == 0 and stored_files() == []


def test_an_upload_without_any_file_is_refused(client: Client) -> None:
    membership, _actor = _signed_in(client, "requester")
    patient = make_patient(membership.institution)
    response = client.post(reverse("records:patient", args=[patient.uuid]), _rows("document"))
    assert response.status_code == 422
    assert _summary(response) == ["Choose at least one file."]


def test_a_renamed_executable_is_refused_on_the_page(client: Client) -> None:
    membership, _actor = _signed_in(client, "requester")
    patient = make_patient(membership.institution)
    response = client.post(
        reverse("records:patient", args=[patient.uuid]),
        _rows(
            "document",
            {"file": pdf(), "title": "病历"},
            {"file": upload(exe_bytes(), name="record.pdf"), "title": "化验单"},
        ),
    )
    assert response.status_code == 422
    assert _summary(response) == ["File 2 · File: The file must be a PDF, JPEG or PNG file."]
    assert ClinicalDocument.objects.count() == 0 and stored_files() == []


def test_a_file_over_the_limit_is_named_on_its_row(client: Client, settings: Any) -> None:
    settings.XT_UPLOAD_MAX_MB = 1
    membership, _actor = _signed_in(client, "requester")
    patient = make_patient(membership.institution)
    response = client.post(
        reverse("records:patient", args=[patient.uuid]),
        _rows("document", {"file": pdf(size=1024 * 1024 + 1), "title": "CT"}),
    )
    assert response.status_code == 422
    [problem] = _summary(response)
    assert problem.startswith("File 1 · File: The file is larger than 1 MB.")
    assert ClinicalDocument.objects.count() == 0 and stored_files() == []


def test_upload_from_a_workflow_page_files_to_its_source_and_goes_back(client: Client) -> None:
    membership, _actor = _signed_in(client, "requester")
    patient = make_patient(membership.institution)
    back = f"/patients/{patient.uuid}/"
    response = client.post(
        reverse("records:patient", args=[patient.uuid]),
        _rows("document", {"file": pdf(), "title": "病历"}, source="consultation:5", next=back),
    )
    assert response.status_code == 302 and response["Location"] == back
    assert ClinicalDocument.objects.get().source == "consultation:5"
    response = client.post(
        reverse("records:patient", args=[patient.uuid]),
        _rows("document", {"file": pdf(), "title": "病历"}, next="https://evil.example/"),
    )
    assert response["Location"] == reverse("records:patient", args=[patient.uuid])


def test_patient_of_another_institution_is_404_and_nothing_stored(client: Client) -> None:
    _signed_in(client, "requester")
    other = make_patient(cast(Membership, MembershipFactory()).institution)
    url = reverse("records:patient", args=[other.uuid])
    assert client.get(url).status_code == 404
    response = client.post(url, _rows("document", {"file": pdf(), "title": "x"}))
    assert response.status_code == 404
    assert ClinicalDocument.objects.count() == 0 and stored_files() == []


def test_viewer_shows_a_pdf_inline_with_a_download_link(client: Client) -> None:
    membership, actor = _signed_in(client, "requester")
    patient = make_patient(membership.institution)
    document = document_upload(
        actor=actor, patient=patient, kind="exam_report", title="胃镜", file=pdf()
    )
    page = _text(client.get(reverse("records:document", args=[document.uuid])))
    file_url = reverse("records:file", args=[document.uuid])
    assert f'<iframe src="{file_url}"' in page
    assert f'href="{file_url}?download=1"' in page
    assert "Keep until" in page


def test_viewer_shows_an_image_inline(client: Client) -> None:
    membership, actor = _signed_in(client, "requester")
    patient = make_patient(membership.institution)
    document = document_upload(
        actor=actor, patient=patient, kind="paper_photo", title="出院小结",
        file=upload(jpeg_bytes(), name="a.jpg", content_type="image/jpeg"),
    )  # fmt: skip
    page = _text(client.get(reverse("records:document", args=[document.uuid])))
    assert f'<img src="{reverse("records:file", args=[document.uuid])}"' in page


def test_file_view_headers(client: Client) -> None:
    membership, actor = _signed_in(client, "requester")
    patient = make_patient(membership.institution)
    document = document_upload(
        actor=actor, patient=patient, kind="document", title="病历", file=pdf()
    )
    response = client.get(reverse("records:file", args=[document.uuid]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # the viewer frames it
    download = client.get(reverse("records:file", args=[document.uuid]), {"download": "1"})
    assert download["Content-Disposition"].startswith("attachment")


def test_file_view_of_an_invisible_document_is_404(client: Client) -> None:
    owner = cast(Membership, MembershipFactory(roles=["requester"]))
    patient = make_patient(owner.institution)
    document = document_upload(
        actor=actor_for_membership(owner),
        patient=patient,
        kind="document",
        title="病历",
        file=pdf(),
    )
    _signed_in(client, "requester")
    assert client.get(reverse("records:file", args=[document.uuid])).status_code == 404
    assert client.get(reverse("records:document", args=[document.uuid])).status_code == 404


def test_granted_expert_sees_the_file_and_loses_it_on_revocation(client: Client) -> None:
    owner = cast(Membership, MembershipFactory(roles=["requester"]))
    owner_actor = actor_for_membership(owner)
    patient = make_patient(owner.institution)
    document = document_upload(
        actor=owner_actor, patient=patient, kind="document", title="病历", file=pdf(),
        source="c:1",
    )  # fmt: skip
    unrelated = document_upload(
        actor=owner_actor, patient=patient, kind="document", title="其他病历", file=pdf()
    )
    membership, _ = _signed_in(client, "expert")
    url = reverse("records:file", args=[document.uuid])
    assert client.get(url).status_code == 404
    patient_access_grant(
        actor=owner_actor, patient=patient, user_id=membership.user_id, source="c:1"
    )
    assert client.get(url).status_code == 200
    # The grant covers what was shared for its work, not the rest of the record.
    assert client.get(reverse("records:file", args=[unrelated.uuid])).status_code == 404
    page = _text(client.get(reverse("records:document", args=[document.uuid])))
    assert "Mark as entered in error" not in page  # another institution's document
    from xietong.patients.grants import patient_access_revoke

    patient_access_revoke(actor=owner_actor, source="c:1")
    assert client.get(url).status_code == 404


def test_replace_and_mark_in_error_from_the_viewer(client: Client) -> None:
    membership, actor = _signed_in(client, "requester")
    patient = make_patient(membership.institution)
    document = document_upload(
        actor=actor, patient=patient, kind="document", title="病历", file=pdf()
    )
    response = client.post(
        reverse("records:replace", args=[document.uuid]), {"title": "病历（更正）", "file": pdf()}
    )
    new = ClinicalDocument.objects.get(supersedes=document)
    assert response["Location"] == reverse("records:document", args=[new.uuid])
    old_page = _text(client.get(reverse("records:document", args=[document.uuid])))
    assert "A corrected version replaces this document" in old_page
    response = client.post(reverse("records:in_error", args=[new.uuid]), {"reason": ""})
    assert response.status_code == 422
    client.post(reverse("records:in_error", args=[new.uuid]), {"reason": "传错了患者"})
    new.refresh_from_db()
    assert new.status == DocumentStatus.ENTERED_IN_ERROR
    page = _text(client.get(reverse("records:document", args=[new.uuid])))
    assert "This document was entered in error: 传错了患者" in page


def test_the_patients_page_has_a_records_section(client: Client) -> None:
    membership, actor = _signed_in(client, "requester")
    patient = make_patient(membership.institution)
    document_upload(
        actor=actor, patient=patient, kind="imaging_report", title="胸部CT报告", file=pdf()
    )
    page = _text(client.get(reverse("patients:detail", args=[patient.uuid])))
    assert '<section class="card mb-3" id="records">' in page and ">Records</h2>" in page
    assert "胸部CT报告" in page
    assert f'href="{reverse("records:patient", args=[patient.uuid])}"' in page
    assert f'name="next" value="/patients/{patient.uuid}/"' in page


def test_the_section_offers_no_upload_to_a_pharmacist(client: Client) -> None:
    membership, _ = _signed_in(client, "pharmacist")
    patient = make_patient(membership.institution)
    page = _text(client.get(reverse("patients:detail", args=[patient.uuid])))
    assert ">Records</h2>" in page and "No documents yet." in page
    assert 'capture="environment"' not in page
