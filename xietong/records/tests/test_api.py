from __future__ import annotations

from typing import Any, cast

import pytest
from django.test import Client

from xietong.accounts.actors import actor_for_membership
from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import MembershipFactory
from xietong.accounts.tokens import api_token_issue
from xietong.patients.tests.factories import make_patient
from xietong.records.models import ClinicalDocument, DocumentStatus
from xietong.records.services import document_upload
from xietong.records.tests.helpers import (
    html_bytes,
    pdf,
    pdf_bytes,
    png_bytes,
    stored_files,
    upload,
)

pytestmark = pytest.mark.django_db


def _api_client(*roles: str) -> tuple[Client, Membership]:
    membership = cast(Membership, MembershipFactory(roles=list(roles) or ["requester"]))
    _token, key = api_token_issue(membership=membership, label="t")
    return Client(headers={"authorization": f"Bearer {key}", "accept-language": "en"}), membership


def _upload(client: Client, patient_uuid: Any, headers: Any = None, **fields: Any) -> Any:
    data = {"kind": "lab_report", "title": "血常规", "file": pdf(), **fields}
    return client.post(f"/api/v1/records/patients/{patient_uuid}", data, headers=headers)


def test_upload_list_get_download_and_mark_in_error() -> None:
    client, membership = _api_client()
    patient = make_patient(membership.institution)
    response = _upload(
        client, patient.uuid, file=upload(png_bytes(), name="x.pdf"), clinical_date="2026-04-02",
        source="consultation:3",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == "image/png" and body["status"] == "current"
    assert body["source"] == "consultation:3" and body["clinical_date"] == "2026-04-02"
    assert body["keep_until"] >= "2041-"

    listed = client.get(f"/api/v1/records/patients/{patient.uuid}").json()
    assert [d["uuid"] for d in listed] == [body["uuid"]]
    by_source = client.get("/api/v1/records", {"source": "consultation:3"}).json()
    assert [d["uuid"] for d in by_source] == [body["uuid"]]
    assert client.get(f"/api/v1/records/{body['uuid']}").json()["title"] == "血常规"

    file = client.get(body["file_url"])
    assert file["Content-Type"] == "image/png"
    assert file["X-Content-Type-Options"] == "nosniff"
    assert file.content == png_bytes()
    assert file["Content-Disposition"].startswith("attachment")

    marked = client.post(
        f"/api/v1/records/{body['uuid']}/entered-in-error",
        {"reason": "wrong patient"},
        content_type="application/json",
    )
    assert marked.status_code == 200 and marked.json()["status"] == "entered-in-error"
    again = client.post(
        f"/api/v1/records/{body['uuid']}/entered-in-error",
        {"reason": "again"},
        content_type="application/json",
    )
    assert again.status_code == 409
    assert client.get(f"/api/v1/records/patients/{patient.uuid}").json() == []
    inactive = client.get(f"/api/v1/records/patients/{patient.uuid}", {"include_inactive": True})
    assert len(inactive.json()) == 1


def test_replace_by_api() -> None:
    client, membership = _api_client()
    patient = make_patient(membership.institution)
    old = _upload(client, patient.uuid).json()
    response = client.post(f"/api/v1/records/{old['uuid']}/replace", {"file": pdf("v2.pdf")})
    assert response.status_code == 201
    assert response.json()["supersedes"] == old["uuid"]
    assert client.get(f"/api/v1/records/{old['uuid']}").json()["status"] == "superseded"


def test_html_renamed_pdf_is_422_in_the_callers_language() -> None:
    client, membership = _api_client()
    patient = make_patient(membership.institution)
    response = _upload(client, patient.uuid, file=upload(html_bytes(), name="r.pdf"))
    assert response.status_code == 422
    assert response.json()["fields"]["file"] == ["The file must be a PDF, JPEG or PNG file."]
    zh = _upload(
        client, patient.uuid, file=upload(html_bytes()), headers={"accept-language": "zh-hans"}
    )
    assert zh.json()["fields"]["file"] == ["文件必须是 PDF、JPEG 或 PNG 格式。"]
    assert ClinicalDocument.objects.count() == 0 and stored_files() == []


def test_oversize_is_413(settings) -> None:
    settings.XT_UPLOAD_MAX_MB = 1
    client, membership = _api_client()
    patient = make_patient(membership.institution)
    response = _upload(client, patient.uuid, file=pdf(size=1024 * 1024 + 10))
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert ClinicalDocument.objects.count() == 0 and stored_files() == []


def test_invisible_patient_and_document_are_404_and_nothing_stored() -> None:
    owner = cast(Membership, MembershipFactory(roles=["requester"]))
    patient = make_patient(owner.institution)
    document = document_upload(
        actor=actor_for_membership(owner), patient=patient, kind="document", title="x", file=pdf()
    )
    client, _ = _api_client()
    assert _upload(client, patient.uuid).status_code == 404
    assert client.get(f"/api/v1/records/{document.uuid}").status_code == 404
    assert client.get(f"/api/v1/records/{document.uuid}/file").status_code == 404
    response = client.post(
        f"/api/v1/records/{document.uuid}/entered-in-error",
        {"reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert ClinicalDocument.objects.count() == 1 and len(stored_files()) == 1
    document.refresh_from_db()
    assert document.status == DocumentStatus.CURRENT
    assert client.get(f"/api/v1/records/{document.uuid}/file").content != pdf_bytes()
