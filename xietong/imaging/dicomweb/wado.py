"""WADO-RS (PS3.18 10.4): a study, series or instance as multipart/related of
application/dicom (the files as stored, in their transfer syntax), their metadata as DICOM
JSON (stored at ingest: a read, not a parse), frames as raw pixels, and rendered images.
Every path fetches the study through get_study_for first: not visible is 404, and the
retrieval is recorded once per study and reader."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from pydicom.uid import ExplicitVRLittleEndian

from xietong.core.actor import Actor
from xietong.core.errors import DomainError, NotFound

from ..dicom import dataset_part10
from ..models import Instance
from ..pixels import dataset_of, file_bytes
from ..selectors import get_instance_of, get_study_for, instances_of
from .auth import dicomweb_view
from .multipart import boundary_new, media_type, parts_write

DICOM_JSON = "application/dicom+json"


ANY = "*"


class NotAcceptable(DomainError):
    status = 406
    code = "not_acceptable"

    def __init__(self) -> None:
        super().__init__(_("The instances are not available in the transfer syntax asked for."))


def acceptable_syntaxes(accept: str) -> set[str] | None:
    """The transfer syntaxes the Accept header takes for application/dicom parts: None when
    it does not say (absent, */*), {"*"} for any. An entry without transfer-syntax asks for
    Explicit VR Little Endian (PS3.18 8.7.3.5.2)."""
    if not accept.strip():
        return None
    wanted: set[str] = set()
    for entry in (e.strip() for e in accept.split(",") if e.strip()):
        kind, params = media_type(entry)
        if kind in ("*/*", "multipart/*"):
            return None
        dicom = kind == "application/dicom" or (
            kind == "multipart/related" and params.get("type", "").lower() == "application/dicom"
        )
        if dicom:
            wanted.add(params.get("transfer-syntax", ExplicitVRLittleEndian))
    return wanted


def _as_sent(instance: Instance, wanted: set[str] | None) -> tuple[str, bytes]:
    stored = instance.transfer_syntax_uid
    if wanted is None or ANY in wanted or stored in wanted:
        return f"application/dicom; transfer-syntax={stored}", file_bytes(instance)
    # Asked for the uncompressed syntax only: decoded on the way out; the archive keeps
    # what it received.
    ds = dataset_of(instance)
    ds.decompress()
    return f"application/dicom; transfer-syntax={ExplicitVRLittleEndian}", dataset_part10(ds)


def _multipart_dicom(instances: list[Instance], accept: str) -> HttpResponseBase:
    if not instances:
        raise NotFound()
    wanted = acceptable_syntaxes(accept)
    if (
        wanted is not None
        and not wanted & {ANY, ExplicitVRLittleEndian}
        and not all(i.transfer_syntax_uid in wanted for i in instances)
    ):
        raise NotAcceptable()
    boundary = boundary_new()
    content_type = f'multipart/related; type="application/dicom"; boundary={boundary}'
    parts = parts_write((_as_sent(i, wanted) for i in instances), boundary)
    if len(instances) == 1:  # one file: sent whole, without a streaming server's detour
        return HttpResponse(b"".join(parts), content_type=content_type)
    # A series or a study: file by file, never all in memory (under WSGI).
    return StreamingHttpResponse(parts, content_type=content_type)


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
    return _multipart_dicom(instances, request.headers.get("Accept", ""))


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
