"""A down-referral's rehabilitation plan, pushed to the lower hospital's gateway (exchange,
ADR 27): the referral as a ServiceRequest (the one /fhir/R4/ serves) and the plan as a
CarePlan with a medication and a follow-up visit per activity. Registered for the
down-referral step; it runs inside its transaction, so it sees the plan just written."""

from __future__ import annotations

import uuid
from typing import Any

from xietong.exchange.models import PushKind
from xietong.exchange.outgoing.registry import PushContent, push_source_register

from .fhir import service_request
from .models import Referral, RehabilitationPlan


def _activities(plan: RehabilitationPlan, follow_ups: list[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for m in plan.medications or []:
        words = " ".join(str(m.get(k, "")) for k in ("name", "dose", "frequency") if m.get(k))
        out.append({"detail": {"kind": "MedicationRequest", "status": "not-started",
                               "description": words}})  # fmt: skip
    for f in follow_ups:
        out.append({"detail": {"kind": "Appointment", "status": "scheduled",
                               "code": {"text": "随访"},
                               "scheduledPeriod": {"start": f.due_date.isoformat()}}})  # fmt: skip
    return out


def down_referral_push(payload: dict[str, Any]) -> PushContent | None:
    r = Referral.objects.select_related("patient", "down_institution").get(uuid=payload["referral"])
    plan = RehabilitationPlan.objects.filter(referral=r).select_related("written_by").first()
    if plan is None or r.down_institution_id is None:
        return None
    subject = {"reference": f"Patient/{r.patient.uuid}", "display": r.patient.name}
    writer = plan.written_by
    care_plan = {
        "resourceType": "CarePlan",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"xietong:rehabilitation-plan:{plan.pk}")),
        "identifier": [{"system": "urn:xietong:referral-number", "value": r.number}],
        "basedOn": [{"reference": f"ServiceRequest/{r.uuid}"}],
        "status": "active",
        "intent": "plan",
        "category": [{"text": "康复计划"}],
        "title": f"{r.number} 康复计划",
        "description": plan.instructions,
        "subject": subject,
        "created": plan.written_at.isoformat(),
        "author": {"display": writer.display_name or writer.username},
        "activity": _activities(plan, list(r.follow_ups.order_by("due_date", "pk"))),
    }
    if not care_plan["activity"]:
        del care_plan["activity"]
    return PushContent(
        kind=PushKind.DOWN_REFERRAL,
        patient_id=r.patient_id,
        institution_ids=(r.down_institution_id,),
        source_key=f"down_referral:{plan.pk}",
        subject=f"{r.number}",
        resources=[service_request(r), care_plan],
    )


def push_sources_register() -> None:
    push_source_register(
        "referral.down_refer",
        down_referral_push,
        told=lambda payload: [payload.get("down_institution_id")],
    )
