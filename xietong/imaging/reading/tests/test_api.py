"""The reading operations of /api/v1/imaging as each party calls them: what each is offered
(`actions`), the worklist's rows, the claim and its refusal, and 404 for a stranger."""

from __future__ import annotations

import pytest
from django.test import Client

from xietong.accounts.models import Membership
from xietong.accounts.tokens import api_token_issue
from xietong.imaging.reading.models import ReadingRequest, Status

from .world import world_build

pytestmark = pytest.mark.django_db


def _api(membership: Membership) -> Client:
    _token, key = api_token_issue(membership=membership, label="test")
    return Client(headers={"authorization": f"Bearer {key}"})


def test_each_party_sees_its_actions_and_a_stranger_meets_404() -> None:
    w = world_build()
    made = _api(w.requester_m).post(
        "/api/v1/imaging/readings",
        {"study": w.study.study_instance_uid, "urgency": "emergency",
         "clinical_question": "车祸后头痛，排除颅内出血"},
        content_type="application/json",
    )  # fmt: skip
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["actions"] == ["cancel"] and body["fhir_request_status"] == "active"
    assert body["fhir_report_status"] == "registered"
    url = f"/api/v1/imaging/readings/{body['uuid']}"
    assert _api(w.reader_m).get(url).json()["actions"] == ["claim"]
    assert _api(w.senior_m).get(url).json()["actions"] == ["claim"]
    assert _api(w.stranger_m).get(url).status_code == 404
    assert _api(w.stranger_m).post(f"{url}/claim").status_code == 404

    rows = _api(w.reader_m).get("/api/v1/imaging/worklist").json()
    assert [r["number"] for r in rows] == [body["number"]]
    assert rows[0]["actions"] == ["claim"] and rows[0]["overdue"] is False
    assert _api(w.stranger_m).get("/api/v1/imaging/worklist").json() == []

    claimed = _api(w.reader_m).post(f"{url}/claim")
    assert claimed.status_code == 200
    assert claimed.json()["actions"] == ["release", "report_save", "preliminary"]
    again = _api(w.other_reader_m).post(f"{url}/claim")
    assert again.status_code == 409
    assert again.json()["message"] == "无法执行“认领”：该阅片申请当前状态为“阅片中”。"
    assert _api(w.other_reader_m).get(url).json()["actions"] == []
    r = ReadingRequest.objects.get()
    assert r.status == Status.READING and r.reader_id == w.reader_m.user_id


def test_bad_input_is_422_in_chinese_and_creates_nothing() -> None:
    w = world_build()
    answer = _api(w.requester_m).post(
        "/api/v1/imaging/readings",
        {"study": w.study.study_instance_uid, "urgency": "whenever", "clinical_question": ""},
        content_type="application/json",
    )
    assert answer.status_code == 422
    fields = answer.json()["fields"]
    assert fields["urgency"] == ["请从列出的选项中选择。"]
    assert fields["clinical_question"] == ["请说明需要阅片医生回答的临床问题。"]
    assert not ReadingRequest.objects.exists()
    unknown = _api(w.requester_m).post(
        "/api/v1/imaging/readings",
        {"study": "1.2.3.4", "urgency": "routine", "clinical_question": "复查"},
        content_type="application/json",
    )
    assert unknown.status_code == 404
