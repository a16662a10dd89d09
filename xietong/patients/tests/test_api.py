from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django.test import Client
from django.utils import timezone

from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import MembershipFactory
from xietong.accounts.tokens import api_token_issue
from xietong.core.models import AuditEvent
from xietong.patients.models import CareRelationship, Consent, Patient
from xietong.patients.tests.factories import (
    an_institution,
    make_patient,
    pdf_bytes,
    png_bytes,
    upload,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/patients"
WOMAN_1949 = "11010519491231002X"


class Api:
    """A client with a bearer token of one membership, speaking a chosen language."""

    def __init__(self, membership: Membership, language: str = "en") -> None:
        _, key = api_token_issue(membership=membership)
        self.membership = membership
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE=language)

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(path, body, content_type="application/json")

    def upload(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(path, data)  # multipart


def _api(*roles: str, language: str = "en", **kwargs: Any) -> Api:
    membership = cast(Membership, MembershipFactory(roles=list(roles) or ["requester"], **kwargs))
    return Api(membership, language)


def test_register_answers_201_then_200_for_the_same_resident() -> None:
    first = _api()
    created = first.post(URL, {"name": "王芳", "resident_id": WOMAN_1949.lower()})
    assert created.status_code == 201
    body = created.json()
    assert body["created"] is True
    assert body["patient"]["resident_id"] == WOMAN_1949
    assert (body["patient"]["birth_date"], body["patient"]["sex"]) == ("1949-12-31", "2")
    again = _api("referral_desk").post(URL, {"name": "王芳", "resident_id": WOMAN_1949})
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["patient"]["uuid"] == body["patient"]["uuid"]
    assert Patient.objects.count() == 1 and CareRelationship.objects.count() == 2


def test_register_errors_are_422_with_fields_in_the_callers_language() -> None:
    bad = {"name": "", "resident_id": WOMAN_1949, "sex": "1", "phone": "123"}
    english = _api().post(URL, bad)
    assert english.status_code == 422
    fields = english.json()["fields"]
    assert fields["name"] == ["This field is required."]
    assert fields["sex"] == ["The resident ID says female."]
    assert set(fields) == {"name", "sex", "phone"}
    chinese = _api(language="zh-hans").post(URL, bad)
    assert chinese.status_code == 422
    assert chinese.json()["fields"]["name"] == ["此项为必填项。"]
    assert not Patient.objects.exists()


def test_register_with_a_malformed_date_is_422() -> None:
    response = _api().post(URL, {"name": "李四", "sex": "1", "birth_date": "1980-02-30"})
    assert response.status_code == 422
    assert response.json()["fields"]["birth_date"] == ["Enter a valid date (YYYY-MM-DD)."]


def test_supervisor_may_not_register() -> None:
    response = _api("supervisor").post(URL, {"name": "王芳", "resident_id": WOMAN_1949})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_detail_gives_the_record_and_404_elsewhere() -> None:
    api = _api()
    patient = make_patient(api.membership.institution, resident_id=WOMAN_1949, sex="2")
    response = api.get(f"{URL}/{patient.uuid}")
    assert response.status_code == 200
    body = response.json()
    assert body["resident_id"] == WOMAN_1949
    assert body["care"][0]["institution_code"] == api.membership.institution.code
    assert body["care"][0]["reason"] == "registered"
    assert body["identifiers"] == [] and body["consents"] == []
    stranger = _api(institution=an_institution())
    missing = stranger.get(f"{URL}/{patient.uuid}")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert AuditEvent.objects.filter(
        username=stranger.membership.user.username, action="patient.read", outcome=4
    ).exists()


def test_search_returns_masked_resident_ids_of_visible_patients() -> None:
    api = _api()
    make_patient(api.membership.institution, name="张三", resident_id=WOMAN_1949)
    make_patient(an_institution(), name="张三丰")
    response = api.get(URL, q="张")
    assert response.status_code == 200
    assert [(p["name"], p["resident_id_masked"]) for p in response.json()] == [
        ("张三", "110105********002X")
    ]
    assert api.get(URL, resident_id=WOMAN_1949).json()[0]["name"] == "张三"
    assert api.get(URL, name="张", birth_date="1900-01-01").json() == []
    assert api.get(URL, birth_date="not-a-date").status_code == 422


def test_identifier_is_added_or_refused() -> None:
    api = _api()
    patient = make_patient(api.membership.institution)
    path = f"{URL}/{patient.uuid}/identifiers"
    response = api.post(path, {"system": "mrn", "value": "zy-1"})
    assert response.status_code == 201
    assert response.json() == {
        "system": "mrn",
        "value": "ZY-1",
        "assigner": api.membership.institution.code,
    }
    again = api.post(path, {"system": "mrn", "value": "ZY-1"})
    assert again.status_code == 422
    assert again.json()["fields"] == {"value": ["This patient already has this identifier."]}


def test_consent_is_uploaded_as_multipart() -> None:
    api = _api()
    patient = make_patient(api.membership.institution, birth_date=dt.date(1970, 1, 1))
    path = f"{URL}/{patient.uuid}/consents"
    form = {
        "kind": "telemedicine",
        "signed_on": timezone.localdate().isoformat(),
        "signed_by": "王芳",
        "relationship": "self",
    }
    response = api.upload(path, {**form, "scan": upload(png_bytes(), name="x.pdf")})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["status"], body["scan_content_type"]) == (
        "telemedicine",
        "active",
        "image/png",
    )
    refused = api.upload(path, {**form, "scan": upload(b"GIF89a....", name="x.png")})
    assert refused.status_code == 422
    assert refused.json()["fields"] == {"scan": ["The scan must be a PDF, JPEG or PNG file."]}
    missing = api.upload(path, form)
    assert missing.json()["fields"] == {"scan": ["Attach the scanned consent form."]}
    assert Consent.objects.count() == 1
    outsider = _api(institution=an_institution())
    assert outsider.upload(path, {**form, "scan": upload(pdf_bytes())}).status_code == 404


def test_session_of_the_browser_works_too(client: Client) -> None:
    membership = cast(Membership, MembershipFactory(roles=["requester"]))
    client.force_login(membership.user)
    response = client.post(
        URL, {"name": "王芳", "resident_id": WOMAN_1949}, content_type="application/json"
    )
    assert response.status_code == 201


def test_openapi_declares_the_answers(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths[URL]["post"]["responses"]) >= {"200", "201", "403", "422"}
    assert set(paths[URL]["get"]["responses"]) >= {"200", "422"}
    assert set(paths[URL + "/{patient_uuid}"]["get"]["responses"]) >= {"200", "404"}
    consents = paths[URL + "/{patient_uuid}/consents"]["post"]
    assert set(consents["responses"]) >= {"201", "404", "422"}
    assert "multipart/form-data" in consents["requestBody"]["content"]
    assert set(paths[URL + "/{patient_uuid}/identifiers"]["post"]["responses"]) >= {
        "201",
        "404",
        "422",
    }
