"""The other two pushes: a down-referral's plan to the lower hospital, a signed imaging
report (with its PDF as a DocumentReference) to the hospital that asked for the reading.
Each Bundle is valid FHIR R4 (fhir.resources)."""

from __future__ import annotations

import json

import pytest
from fhir.resources.R4B.bundle import Bundle

from xietong.accounts.tests.factories import PASSWORD
from xietong.exchange.models import OutgoingMessage
from xietong.exchange.outgoing.services import gateway_push_announce
from xietong.imaging.reading import reports as rep
from xietong.imaging.reading import services as svc
from xietong.imaging.reading.models import ReadingRequest
from xietong.imaging.reading.tests.world import world_build
from xietong.referrals.tests.world import make_world as referral_world

from .factories import make_gateway

pytestmark = pytest.mark.django_db


def test_a_down_referral_sends_its_plan_to_the_lower_hospital() -> None:
    world = referral_world()
    lower, _ = make_gateway(world.county)
    gateway_push_announce(gateway=lower, url="http://127.0.0.1:9/push", kinds=None)
    upper, _ = make_gateway(world.hospital)
    gateway_push_announce(gateway=upper, url="http://127.0.0.1:9/push", kinds=None)
    r = world.to("down_requested")
    [message] = OutgoingMessage.objects.all()
    assert (message.gateway_id, message.kind) == (lower.pk, "down_referral")
    Bundle.model_validate_json(json.dumps(message.bundle))
    kinds = [e["resource"]["resourceType"] for e in message.bundle["entry"]]
    assert kinds == ["Patient", "ServiceRequest", "CarePlan"]
    plan = message.bundle["entry"][2]["resource"]
    assert plan["description"] == "低盐低脂饮食，逐步恢复活动"
    assert plan["basedOn"] == [{"reference": f"ServiceRequest/{r.uuid}"}]
    details = [a["detail"] for a in plan["activity"]]
    assert details[0]["description"] == "阿司匹林肠溶片 100 mg 每日一次"
    assert [d["kind"] for d in details] == ["MedicationRequest", "Appointment", "Appointment"]


def test_a_signed_imaging_report_goes_with_its_pdf_to_the_requesting_hospital() -> None:
    w = world_build()
    gateway, _ = make_gateway(w.hospital)
    gateway_push_announce(gateway=gateway, url="http://127.0.0.1:9/push", kinds=None)
    r = svc.reading_claim(actor=w.reader, reading=w.request())
    rep.report_preliminary(actor=w.reader, reading=r, technique="胸部CT平扫",
                           findings="右肺上叶见一3 cm肿块", impression="右肺上叶占位")  # fmt: skip
    assert OutgoingMessage.objects.count() == 0  # a preliminary report is not pushed
    rep.report_sign(actor=w.senior, reading=ReadingRequest.objects.get(pk=r.pk), password=PASSWORD)
    [message] = OutgoingMessage.objects.all()
    assert message.kind == "imaging_report"
    Bundle.model_validate_json(json.dumps(message.bundle))
    _patient, report, document = (e["resource"] for e in message.bundle["entry"])
    assert (report["resourceType"], report["status"]) == ("DiagnosticReport", "final")
    assert report["conclusion"] == "右肺上叶占位"
    assert document["resourceType"] == "DocumentReference"
    assert document["content"][0]["attachment"]["contentType"] == "application/pdf"
    assert document["context"]["related"] == [{"reference": f"DiagnosticReport/{r.uuid}"}]
