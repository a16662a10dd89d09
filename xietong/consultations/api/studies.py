"""The imaging studies a consultation asks to be read: listed for whoever sees the
consultation (to fetch by DICOMweb with the same token), chosen by the requester while the
request is a draft or returned."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from xietong.core.http import ApiRequest

from .. import services as svc
from ..schemas import StudiesIn, StudyOut
from ..selectors import get_consultation_for
from ..study_selectors import consultation_studies_for
from ._common import ACT, router


def _out(request: ApiRequest, c: Any) -> list[dict[str, Any]]:
    return [
        {
            "uuid": s.uuid,
            "study_instance_uid": s.study_instance_uid,
            "study_date": s.study_date,
            "modalities": s.modality_list,
            "description": s.study_description,
            "series_count": s.series_count,
            "instance_count": s.instance_count,
            "sent_by": s.institution.name,
        }
        for s in consultation_studies_for(actor=request.auth, consultation=c)
    ]


@router.get(
    "/{consultation_uuid}/studies",
    response={200: list[StudyOut], 404: ACT[404]},
    summary="The imaging studies the request asks to be read",
    operation_id="consultation_studies",
)
def consultation_studies(request: ApiRequest, consultation_uuid: UUID) -> list[dict[str, Any]]:
    c = get_consultation_for(actor=request.auth, consultation_uuid=consultation_uuid)
    return _out(request, c)


@router.put(
    "/{consultation_uuid}/studies",
    response={200: list[StudyOut], **ACT},
    summary="Choose the patient's imaging studies for the experts (draft or returned)",
    operation_id="consultation_studies_set",
)
def consultation_studies_set(
    request: ApiRequest, consultation_uuid: UUID, payload: StudiesIn
) -> list[dict[str, Any]]:
    c = get_consultation_for(actor=request.auth, consultation_uuid=consultation_uuid)
    svc.consultation_studies_set(actor=request.auth, consultation=c, studies=payload.studies)
    return _out(request, c)
