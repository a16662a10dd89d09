"""WADO-RS (PS3.18 10.4): a study, series or instance as multipart/related of
application/dicom (the files as stored, in their transfer syntax), their metadata as DICOM
JSON (stored at ingest: a read, not a parse), frames as raw pixels, and rendered images.
Every path fetches the study through get_study_for first: not visible is 404, and the
retrieval is recorded once per study and reader.

A file sent as stored is streamed from the storage in blocks, never parsed: an instance's
answer says its length (the parts' heads and the file's size), a series' or a study's is
sent file by file. Under ASGI (uvicorn serves the demo) the blocks are read off the event
loop by an asynchronous iterator: Django would otherwise read a synchronous one whole into
memory before sending it, and warn."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from pydicom.uid import ExplicitVRLittleEndian

from xietong.core.actor import Actor
from xietong.core.errors import DomainError, NotFound

from ..dicom import dataset_part10
from ..models import Instance
from ..pixels import dataset_of
from ..selectors import get_instance_of, get_study_for, instances_of
from .auth import dicomweb_view
from .multipart import boundary_new, media_type

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


# Read from the storage and sent this much at a time.
BLOCK = 256 * 1024


@dataclass(frozen=True)
class _Part:
    """One instance's part: its head (delimiter and Content-Type), and either the stored
    file to stream (`name`) or the instance to decode first (asked for the uncompressed
    syntax only)."""

    head: bytes
    name: str = ""
    decode: Instance | None = None


def _parts(instances: list[Instance], wanted: set[str] | None, boundary: str) -> list[_Part]:
    parts = []
    for instance in instances:
        stored = instance.transfer_syntax_uid
        as_stored = wanted is None or ANY in wanted or stored in wanted
        syntax = stored if as_stored else ExplicitVRLittleEndian
        head = f"--{boundary}\r\nContent-Type: application/dicom; transfer-syntax={syntax}\r\n\r\n"
        if as_stored:
            parts.append(_Part(head.encode("latin-1"), name=instance.file))
        else:
            parts.append(_Part(head.encode("latin-1"), decode=instance))
    return parts


def _decoded(instance: Instance) -> bytes:
    """Decoded on the way out to Explicit VR Little Endian; the archive keeps what it
    received."""
    ds = dataset_of(instance)
    ds.decompress()
    return dataset_part10(ds)


def _blocks(name: str) -> Iterator[bytes]:
    with default_storage.open(name, "rb") as handle:
        while block := handle.read(BLOCK):
            yield block


def _body(parts: list[_Part], closing: bytes) -> Iterator[bytes]:
    for part in parts:
        yield part.head
        if part.decode is not None:
            yield _decoded(part.decode)
        else:
            yield from _blocks(part.name)
        yield b"\r\n"
    yield closing


async def _body_async(parts: list[_Part], closing: bytes) -> AsyncIterator[bytes]:
    """_body with every read of the storage, and every decoding, in a thread."""
    for part in parts:
        yield part.head
        if part.decode is not None:
            yield await asyncio.to_thread(_decoded, part.decode)
        else:
            handle = await asyncio.to_thread(default_storage.open, part.name, "rb")
            try:
                while block := await asyncio.to_thread(handle.read, BLOCK):
                    yield block
            finally:
                handle.close()
        yield b"\r\n"
    yield closing


def _multipart_dicom(
    request: HttpRequest, instances: list[Instance], accept: str
) -> HttpResponseBase:
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
    parts = _parts(instances, wanted, boundary)
    closing = f"--{boundary}--\r\n".encode("latin-1")
    asynchronous = isinstance(request, ASGIRequest)
    body = _body_async(parts, closing) if asynchronous else _body(parts, closing)
    response = StreamingHttpResponse(body, content_type=content_type)
    if len(parts) == 1 and parts[0].decode is None:  # one file as stored: its length is known
        size = default_storage.size(parts[0].name)
        response["Content-Length"] = str(len(parts[0].head) + size + 2 + len(closing))
    return response


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
    return _multipart_dicom(request, instances, request.headers.get("Accept", ""))


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
