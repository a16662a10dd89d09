"""WADO-RS pixels: frames (PS3.18 10.4.1.1.3) as multipart/related of application/
octet-stream, uncompressed little-endian whatever the stored syntax, and rendered images and
thumbnails (10.4.1.1.4/5) as JPEG or PNG, windowed from the query or the dataset."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from pydicom.uid import ExplicitVRLittleEndian

from xietong.core.actor import Actor
from xietong.core.errors import NotFound, ValidationFailed

from ..models import Instance
from ..pixels import THUMBNAIL, dataset_of, frame_bytes, image_render, viewport_parse, window_parse
from ..selectors import get_instance_of, get_study_for, instances_of
from .auth import dicomweb_view
from .multipart import boundary_new, media_type, parts_write

FRAMES_MAX = 1000


def _frame_numbers(value: str) -> list[int]:
    try:
        numbers = [int(n) for n in value.split(",") if n.strip()]
    except ValueError as exc:
        raise ValidationFailed.single("frames", _("Frames are numbers from 1, by commas.")) from exc
    if not numbers or len(numbers) > FRAMES_MAX or min(numbers) < 1:
        raise ValidationFailed.single("frames", _("Frames are numbers from 1, by commas."))
    return numbers


def _instance(actor: Actor, reader: str, study_uid: str, series_uid: str, sop_uid: str) -> Instance:
    study = get_study_for(actor=actor, study_uid=study_uid, reader=reader)
    return get_instance_of(study, series_uid=series_uid, sop_uid=sop_uid)


@require_GET
@dicomweb_view
def frames(
    request: HttpRequest,
    *,
    actor: Actor,
    reader: str,
    study_uid: str,
    series_uid: str,
    sop_uid: str,
    frame_list: str,
) -> HttpResponse:
    numbers = _frame_numbers(frame_list)
    ds = dataset_of(_instance(actor, reader, study_uid, series_uid, sop_uid))
    content_type = f"application/octet-stream; transfer-syntax={ExplicitVRLittleEndian}"
    boundary = boundary_new()
    body = b"".join(parts_write(((content_type, frame_bytes(ds, n)) for n in numbers), boundary))
    return HttpResponse(
        body,
        content_type=f'multipart/related; type="application/octet-stream"; boundary={boundary}',
    )


def _media(request: HttpRequest) -> str:
    """PNG when the client asks for it before JPEG; JPEG otherwise."""
    for entry in request.headers.get("Accept", "").split(","):
        kind = media_type(entry.strip())[0] if entry.strip() else ""
        if kind in ("image/png", "image/jpeg"):
            return kind
    return "image/jpeg"


def _image(request: HttpRequest, instance: Instance, frame: int, thumbnail: bool) -> HttpResponse:
    viewport = viewport_parse(request.GET.get("viewport", ""))
    if thumbnail and viewport is None:
        viewport = (THUMBNAIL, THUMBNAIL)
    media = _media(request)
    image = image_render(dataset_of(instance), frame=frame, media=media, viewport=viewport,
                         window=window_parse(request.GET.get("window", "")))  # fmt: skip
    return HttpResponse(image, content_type=media)


@require_GET
@dicomweb_view
def rendered(
    request: HttpRequest,
    *,
    actor: Actor,
    reader: str,
    study_uid: str,
    series_uid: str = "",
    sop_uid: str = "",
    frame_list: str = "",
    thumbnail: bool = False,
) -> HttpResponse:
    """An instance's (or its frame's) image; for a series or a study, its middle instance's
    (what a reader recognises a series by)."""
    study = get_study_for(actor=actor, study_uid=study_uid, reader=reader)
    if sop_uid:
        instance = get_instance_of(study, series_uid=series_uid, sop_uid=sop_uid)
    else:
        found = list(instances_of(study, series_uid=series_uid).only("file"))
        if not found:
            raise NotFound()
        instance = found[len(found) // 2]
    frame = _frame_numbers(frame_list)[0] if frame_list else 1
    return _image(request, instance, frame, thumbnail)
