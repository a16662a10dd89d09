"""The API: create, read, list, transitions, opinion and timeline; 404/409/422 in the
caller's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import PASSWORD
from xietong.accounts.tokens import api_token_issue
from xietong.consultations.models import Consultation
from xietong.core.actor import Actor

from .world import COMPLETE, World

pytestmark = pytest.mark.django_db
BASE = "/api/v1/consultations"


class Api:
    def __init__(self, actor: Actor, language: str = "en") -> None:
        _, key = api_token_issue(membership=Membership.objects.get(pk=actor.membership_id or 0))
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE=language)

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(BASE + path, params)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(BASE + path, body or {}, content_type="application/json")

    def send(self, method: str, path: str, body: dict[str, Any]) -> Any:
        return getattr(self.client, method)(BASE + path, body, content_type="application/json")


def test_the_flow_through_the_api(world: World) -> None:
    requester, qc, coordinator = Api(world.requester), Api(world.qc), Api(world.coordinator)
    expert = Api(world.expert_actor)
    body = {
        "patient": str(world.patient.uuid),
        **COMPLETE,
        "wanted_department": world.department.code,
    }
    created = requester.post("", body)
    assert created.status_code == 201, created.json()
    key = created.json()["uuid"]
    assert created.json()["status"] == "draft" and "submit" in created.json()["actions"]

    assert requester.post(f"/{key}/submit").json()["status"] == "submitted"
    returned = qc.post(f"/{key}/qc-return", {"comment": "请补充心电图"})
    assert returned.json()["status"] == "returned"
    assert (
        requester.send("patch", f"/{key}", {"examination": "心电图 ST 段压低"}).status_code == 200
    )
    assert requester.post(f"/{key}/resubmit").json()["status"] == "submitted"
    assert qc.post(f"/{key}/qc-pass").json()["status"] == "triage"
    expert_id = str(world.expert.practitioner.uuid)
    assigned = coordinator.post(f"/{key}/triage", {"experts": [expert_id]})
    assert assigned.json()["status"] == "assigned", assigned.json()
    assert expert.post(f"/{key}/accept").json()["status"] == "accepted"
    assert expert.post(f"/{key}/start").json()["status"] == "in_progress"
    saved = expert.send(
        "put", f"/{key}/opinion", {"diagnosis": "不稳定型心绞痛", "recommendations": "冠脉造影"}
    )
    assert saved.status_code == 200 and not saved.json()["signed"]
    signed = expert.post(f"/{key}/opinion/sign", {"password": PASSWORD})
    assert signed.json()["signed"] and len(signed.json()["content_hash"]) == 64
    done = requester.post(f"/{key}/acknowledge", {"rating": 5, "comment": "及时"})
    assert done.json()["status"] == "completed" and done.json()["rating"] == 5

    timeline = requester.get(f"/{key}/timeline").json()
    assert [e["action"] for e in timeline][:3] == ["create", "submit", "qc_return"]
    assert timeline[2]["reason"] == "请补充心电图"
    assert [o["version"] for o in requester.get(f"/{key}/opinions").json()] == [1]
    rows = requester.get("", scope="requests").json()
    assert [r["uuid"] for r in rows] == [key]


def test_409_says_why_and_changes_nothing(world: World) -> None:
    c = world.to("submitted")
    answer = Api(world.requester, "zh-hans").post(f"/{c.uuid}/acknowledge", {"rating": 5})
    assert answer.status_code == 409
    assert answer.json()["code"] == "wrong_state"
    assert "待质控" in answer.json()["message"] or "质控" in answer.json()["message"]
    # A requester's role never runs the quality check: 403, not a conflict with the state.
    role = Api(world.requester).post(f"/{c.uuid}/qc-pass")
    assert role.status_code == 403 and role.json()["code"] == "role_may_not"
    assert Consultation.objects.get(pk=c.pk).status == "submitted"


def test_422_lists_every_missing_part(world: World) -> None:
    created = Api(world.requester).post("", {"patient": str(world.patient.uuid)})
    key = created.json()["uuid"]
    answer = Api(world.requester).post(f"/{key}/submit")
    assert answer.status_code == 422
    assert {"reason", "purpose", "wanted_department"} <= set(answer.json()["fields"])


def test_404_for_strangers_and_for_nonsense(world: World) -> None:
    c = world.to("triage")
    assert Api(world.expert_actor).get(f"/{c.uuid}").status_code == 404
    assert Api(world.expert_actor).post(f"/{c.uuid}/accept").status_code == 404
    assert Api(world.requester).get("/00000000-0000-0000-0000-000000000000").status_code == 404


def test_decline_and_cancel_need_reasons(world: World) -> None:
    c = world.to("assigned")
    expert = Api(world.expert_actor)
    assert expert.post(f"/{c.uuid}/decline", {"reason": ""}).status_code == 422
    declined = expert.post(f"/{c.uuid}/decline", {"reason": "休假"})
    assert declined.status_code == 200 and declined.json()["status"] == "triage"
    assert expert.get(f"/{c.uuid}").status_code == 404
    requester = Api(world.requester)
    assert requester.post(f"/{c.uuid}/cancel", {"reason": ""}).status_code == 422
    assert (
        requester.post(f"/{c.uuid}/cancel", {"reason": "患者已转院"}).json()["status"]
        == "cancelled"
    )


def test_board(world: World) -> None:
    world.to("in_progress")
    board = Api(world.coordinator).get("/board").json()
    assert board["total"] == 1 and board["rows"][0]["hospital"] == world.county.name
    assert Api(world.requester).get("/board").status_code == 403  # the role never sees a board


def test_reading_a_consultation_through_the_api_is_audited(world: World) -> None:
    from xietong.core.models import AuditEvent

    c = world.to("triage")
    api = Api(world.requester)
    before = AuditEvent.objects.filter(action="consultation.read", resource_id=str(c.uuid)).count()
    for suffix in ("", "/timeline", "/opinions"):
        assert api.get(f"/{c.uuid}{suffix}").status_code == 200
    reads = AuditEvent.objects.filter(action="consultation.read", resource_id=str(c.uuid))
    assert reads.count() == before + 3
    assert {e.patient_id for e in reads} == {world.patient.pk}


def test_the_opinion_names_the_institution_to_refer_to_by_its_key(world: World) -> None:
    c = world.to("in_progress")
    expert = Api(world.expert_actor, "zh-hans")
    advised = {
        "diagnosis": "不稳定型心绞痛",
        "recommendations": "冠脉造影",
        "referral_advised": True,
    }
    # A client that knows only the words may still save a draft; signing needs the key.
    legacy = expert.send("put", f"/{c.uuid}/opinion", {**advised, "referral_to": "省人民医院"})
    assert legacy.status_code == 200 and legacy.json()["referral_to_institution"] is None
    refused = expert.post(f"/{c.uuid}/opinion/sign", {"password": PASSWORD})
    assert refused.status_code == 422
    assert refused.json()["fields"]["referral_to_institution"] == ["请选择建议患者转往的机构。"]
    unknown = expert.send(
        "put", f"/{c.uuid}/opinion", {"referral_to_institution": str(world.patient.uuid)}
    )
    assert unknown.status_code == 422
    assert unknown.json()["fields"]["referral_to_institution"] == ["请从列表中选择机构。"]
    chosen = {"referral_to_institution": str(world.hospital.uuid), "referral_to": "心内科"}
    saved = expert.send("put", f"/{c.uuid}/opinion", chosen)
    assert saved.status_code == 200
    assert saved.json()["referral_to_institution"] == str(world.hospital.uuid)
    assert saved.json()["referral_to"] == "心内科"
    signed = expert.post(f"/{c.uuid}/opinion/sign", {"password": PASSWORD})
    assert signed.status_code == 200 and signed.json()["signed"]
    read = Api(world.requester).get(f"/{c.uuid}/opinions").json()
    assert read[0]["referral_to_institution"] == str(world.hospital.uuid)
