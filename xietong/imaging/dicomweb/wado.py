"""WADO-RS (PS3.18 10.4): a study, series or instance as multipart/related of
application/dicom (the files as stored, in their transfer syntax), their metadata as DICOM
JSON (stored at ingest: a read, not a parse), frames as raw pixels, and rendered images.
Every path fetches the study through get_study_for first: not visible is 404, and the
retrieval is recorded once per study and reader."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.views.decorators.http import require_GET

from xietong.core.actor import Actor
from xietong.core.errors import NotFound

from ..models import Instance
from ..pixels import file_bytes
from ..selectors import get_instance_of, get_study_for, instances_of
from .auth import dicomweb_view
from .multipart import boundary_new, parts_write

DICOM_JSON = "application/dicom+json"


def _files(instances: list[Instance]) -> Iterator[tuple[str, bytes]]:
    for instance in instances:
        yield (
            f"application/dicom; transfer-syntax={instance.transfer_syntax_uid}",
            file_bytes(instance),
        )


def _multipart_dicom(instances: list[Instance]) -> StreamingHttpResponse:
    if not instances:
        raise NotFound()
    boundary = boundary_new()
    return StreamingHttpResponse(
        parts_write(_files(instances), boundary),
        content_type=f'multipart/related; type="application/dicom"; boundary={boundary}',
    )


@require_GET
@dicomweb_view
def retrieve(
    request: HttpRequest,
    *,
    actor: Actor,
    reader: str,
    study_uid: str,
    series_uid: str = "",
    sop_uid: str = "",
) -> HttpResponseBase:
    study = get_study_for(actor=actor, study_uid=study_uid, reader=reader)
    if sop_uid:
        instances = [get_instance_of(study, series_uid=series_uid, sop_uid=sop_uid)]
    else:
        found = instances_of(study, series_uid=series_uid)
        instances = list(found.only("file", "transfer_syntax_uid"))
    return _multipart_dicom(instances)


@require_GET
@dicomweb_view
def metadata(
    request: HttpRequest,
    *,
    actor: Actor,
    reader: str,
    study_uid: str,
    series_uid: str = "",
    sop_uid: str = "",
) -> HttpResponse:
    study = get_study_for(actor=actor, study_uid=study_uid, reader=reader)
    found = instances_of(study, series_uid=series_uid, sop_uid=sop_uid).values_list(
        "metadata", flat=True
    )
    documents = list(found)
    if not documents:
        raise NotFound()
    return HttpResponse("[" + ",".join(documents) + "]", content_type=DICOM_JSON)
