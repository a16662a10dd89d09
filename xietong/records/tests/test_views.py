from __future__ import annotations

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


def test_records_page_lists_documents_and_offers_a_phone_camera_upload(client: Client) -> None:
    membership, actor = _signed_in(client, "requester")
    patient = make_patient(membership.institution, name="李四")
    document_upload(actor=actor, patient=patient, kind="lab_report", title="血常规", file=pdf())
    page = _text(client.get(reverse("records:patient", args=[patient.uuid])))
    assert "Records of 李四" in page and "血常规" in page and "laboratory report" in page
    assert 'accept="application/pdf,image/jpeg,image/png"' in page
    assert 'capture="environment"' in page and "multiple" in page
    assert 'enctype="multipart/form-data"' in page


def test_uploading_several_photos_from_the_page(client: Client) -> None:
    membership, _actor = _signed_in(client, "requester")
    patient = make_patient(membership.institution)
    url = reverse("records:patient", args=[patient.uuid])
    photos = [upload(jpeg_bytes(), name=f"IMG_{i}.jpg", content_type="image/jpeg") for i in (1, 2)]
    response = client.post(
        url,
        {"kind": "paper_photo", "title": "门诊病历", "clinical_date": "2026-05-01", "file": photos},
    )
    assert response.status_code == 302 and response["Location"] == url
    assert sorted(ClinicalDocument.objects.values_list("title", flat=True)) == [
        "门诊病历 (1/2)", "门诊病历 (2/2)",
    ]  # fmt: skip
    page = _text(client.get(url))
    assert "2 documents filed." in page


def test_a_renamed_executable_is_refused_on_the_page(client: Client) -> None:
    membership, _actor = _signed_in(client, "requester")
    patient = make_patient(membership.institution)
    response = client.post(
        reverse("records:patient", args=[patient.uuid]),
        {"kind": "document", "title": "病历", "file": upload(exe_bytes(), name="record.pdf")},
    )
    assert response.status_code == 422
    assert "The file must be a PDF, JPEG or PNG file." in _text(response)
    assert ClinicalDocument.objects.count() == 0 and stored_files() == []


def test_upload_from_a_workflow_page_files_to_its_source_and_goes_back(client: Client) -> None:
    membership, _actor = _signed_in(client, "requester")
    patient = make_patient(membership.institution)
    back = f"/patients/{patient.uuid}/"
    response = client.post(
        reverse("records:patient", args=[patient.uuid]),
        {"kind": "document", "title": "病历", "file": pdf(), "source": "consultation:5",
         "next": back},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == back
    assert ClinicalDocument.objects.get().source == "consultation:5"
    response = client.post(
        reverse("records:patient", args=[patient.uuid]),
        {"kind": "document", "title": "病历", "file": pdf(), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("records:patient", args=[patient.uuid])


def test_patient_of_another_institution_is_404_and_nothing_stored(client: Client) -> None:
    _signed_in(client, "requester")
    other = make_patient(cast(Membership, MembershipFactory()).institution)
    url = reverse("records:patient", args=[other.uuid])
    assert client.get(url).status_code == 404
    response = client.post(url, {"kind": "document", "title": "x", "file": pdf()})
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
    assert "<h2>Records</h2>" in page
    assert "胸部CT报告" in page
    assert f'href="{reverse("records:patient", args=[patient.uuid])}"' in page
    assert f'name="next" value="/patients/{patient.uuid}/"' in page


def test_the_section_offers_no_upload_to_a_pharmacist(client: Client) -> None:
    membership, _ = _signed_in(client, "pharmacist")
    patient = make_patient(membership.institution)
    page = _text(client.get(reverse("patients:detail", args=[patient.uuid])))
    assert "<h2>Records</h2>" in page and "No documents yet." in page
    assert 'capture="environment"' not in page
