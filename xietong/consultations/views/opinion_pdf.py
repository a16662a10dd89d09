"""The PDF of a signed opinion version, for everyone who sees the consultation; the
download is audited like any read of the patient's data."""

from __future__ import annotations

import uuid

from django.http import HttpResponse

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import NotFound
from xietong.core.http import ActorRequest

from ..models import Consultation, Kind, Opinion, OpinionPart
from ..pdf import opinion_pdf
from ..selectors import get_consultation_for
from .workspace_base import signed_in


def _signed_version(c: Consultation, version: int, part: str, expert: str) -> Opinion:
    """Without `expert`, the concluding opinion: the MDT summary, else the one opinion."""
    default_part = OpinionPart.SUMMARY if c.kind == Kind.MDT else OpinionPart.OPINION
    qs = Opinion.objects.filter(
        consultation=c, version=version, part=part or default_part, signed_at__isnull=False
    ).select_related("expert__practitioner", "consultation__centre")
    if expert:
        try:
            qs = qs.filter(expert__practitioner__uuid=uuid.UUID(expert))
        except ValueError:
            raise NotFound() from None
    found = qs.order_by("expert_id").first()
    if found is None:
        raise NotFound()
    return found


@signed_in
def download(
    request: ActorRequest, actor: Actor, consultation_uuid: uuid.UUID, version: int
) -> HttpResponse:
    c = get_consultation_for(actor=actor, consultation_uuid=consultation_uuid)
    part = request.GET.get("part", "")
    if part and part not in OpinionPart.values:
        raise NotFound()
    opinion = _signed_version(c, version, part, request.GET.get("expert", ""))
    content = opinion_pdf(opinion=opinion)
    audit_record(
        actor=actor,
        action="consultation_opinion.read",
        resource_type="ConsultationOpinion",
        resource_id=opinion.uuid,
        patient_id=c.patient_id,
        detail={"number": c.number, "version": opinion.version, "format": "pdf"},
    )
    response = HttpResponse(content, content_type="application/pdf")
    name = f"{c.number}-v{opinion.version}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
