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


def test_the_report_through_the_api_each_party_in_turn() -> None:
    from xietong.accounts.tests.factories import PASSWORD

    w = world_build()
    r = w.request()
    url = f"/api/v1/imaging/readings/{r.uuid}"
    reader = _api(w.reader_m)
    assert reader.post(f"{url}/claim").status_code == 200
    draft = reader.put(f"{url}/report", {"findings": "右肺上叶肿块"},
                       content_type="application/json")  # fmt: skip
    assert draft.status_code == 200 and draft.json()["signed"] is False
    assert _api(w.requester_m).get(f"{url}/reports").json() == []  # a draft is not shown
    sent = reader.post(f"{url}/preliminary", {"impression": "右肺上叶占位", "critical": True},
                       content_type="application/json")  # fmt: skip
    assert sent.status_code == 200 and sent.json()["fhir_report_status"] == "preliminary"
    requester, senior = _api(w.requester_m), _api(w.senior_m)
    assert requester.get(url).json()["actions"] == ["critical_ack"]
    assert senior.get(url).json()["actions"] == ["sign", "return"]
    assert [v["findings"] for v in requester.get(f"{url}/reports").json()] == ["右肺上叶肿块"]
    assert _api(w.stranger_m).get(f"{url}/reports").status_code == 404
    wrong = senior.post(f"{url}/sign", {"password": "x"}, content_type="application/json")
    assert wrong.status_code == 422
    signed = senior.post(f"{url}/sign", {"password": PASSWORD}, content_type="application/json")
    assert signed.status_code == 200 and signed.json()["fhir_report_status"] == "final"
    assert senior.get(url).json()["actions"] == ["correct"]
    versions = requester.get(f"{url}/reports").json()
    assert versions[0]["signed"] is True and len(versions[0]["content_hash"]) == 64
    acked = requester.post(f"{url}/critical-ack")
    assert acked.status_code == 200 and acked.json()["critical_acknowledged_at"]
