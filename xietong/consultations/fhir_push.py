"""A signed opinion, pushed to the requesting hospital's gateway (exchange, ADR 27).

Registered for the signing and the correction steps; it runs inside their transaction, so
it sees the opinion just frozen. The opinion's PDF is rendered after the signature commits
(services/filing.py): the push carries the opinion's text, and the PDF stays on the
platform, filed to the patient's records."""

from __future__ import annotations

import base64
from typing import Any

from xietong.exchange.models import PushKind
from xietong.exchange.outgoing.registry import PushContent, push_source_register

from .models import Consultation, Opinion

LOINC = "http://loinc.org"


def _text(opinion: Opinion) -> str:
    parts = [("会诊诊断", opinion.diagnosis), ("治疗建议", opinion.recommendations),
             ("随访", opinion.follow_up)]  # fmt: skip
    return "\n".join(f"{title}：{body}" for title, body in parts if body)


def opinion_push(payload: dict[str, Any]) -> PushContent | None:
    c = Consultation.objects.select_related("centre").get(uuid=payload["consultation"])
    opinion = (
        Opinion.objects.filter(consultation=c, signed_at__isnull=False)
        .select_related("expert__practitioner")
        .order_by("-signed_at", "-pk")
        .first()
    )
    if opinion is None:
        return None
    assert opinion.signed_at is not None
    label = f"{c.number} v{opinion.version}"
    report: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "id": str(opinion.uuid),
        "identifier": [{"system": "urn:xietong:consultation-opinion", "value": label}],
        "basedOn": [{"reference": f"ServiceRequest/{c.uuid}"}],
        "status": "corrected" if opinion.supersedes_id else "final",
        "category": [{"text": "会诊意见"}],
        "code": {"coding": [{"system": LOINC, "code": "11488-4", "display": "Consult note"}],
                 "text": "会诊意见"},
        "subject": {"reference": f"Patient/{c.patient.uuid}", "display": c.patient.name},
        "issued": opinion.signed_at.isoformat(),
        "performer": [{"reference": f"Organization/{c.centre.uuid}", "display": c.centre.name}],
        "resultsInterpreter": [{"reference": f"Practitioner/{opinion.expert.practitioner.uuid}",
                                "display": opinion.expert.practitioner.name}],
        "conclusion": opinion.diagnosis or None,
        "presentedForm": [{"contentType": "text/plain; charset=utf-8", "language": "zh-CN",
                           "data": base64.b64encode(_text(opinion).encode()).decode(),
                           "title": label}],
    }  # fmt: skip
    return PushContent(
        kind=PushKind.OPINION,
        patient_id=c.patient_id,
        institution_ids=(c.requesting_institution_id,),
        source_key=f"opinion:{opinion.uuid}",
        subject=label,
        resources=[{k: v for k, v in report.items() if v is not None}],
    )


def push_sources_register() -> None:
    for action in ("opinion_sign", "opinion_correct"):
        push_source_register(
            f"consultation.{action}",
            opinion_push,
            told=lambda payload: [payload.get("requesting_institution_id")],
        )
