"""The PDF of a signed opinion version, for everyone who sees the consultation; the
download is audited like any read of the patient's data."""

from __future__ import annotations

import uuid

from django.http import HttpResponse

from xietong.core.actor import Actor
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view

from ..pdf import opinion_pdf
from ..selectors import signed_opinion_for


@actor_view
def download(
    request: ActorRequest, actor: Actor, consultation_uuid: uuid.UUID, version: int
) -> HttpResponse:
    opinion = signed_opinion_for(
        actor=actor, consultation_uuid=consultation_uuid, version=version,
        part=request.GET.get("part", ""), expert=request.GET.get("expert", ""),
    )  # fmt: skip
    content = opinion_pdf(opinion=opinion)
    response = HttpResponse(content, content_type="application/pdf")
    number = opinion.consultation.number
    name = f"{number}-v{opinion.version}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
