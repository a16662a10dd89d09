"""What an uploaded file is, judged by its first bytes: its name and declared type say
nothing about it. Shared by every app that keeps patients' documents (consent scans,
clinical records); each app words its own refusals."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings

from .images import image_size

# The formats a patient's document may have: (magic, content type, extension).
DOCUMENT_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
DOCUMENT_CONTENT_TYPES = frozenset(t for _m, t, _e in DOCUMENT_SIGNATURES)


# Deflate shrinks at most 1032:1, so even a PNG of one-bit pixels holds about 8,300 pixels a
# byte; a JPEG spends at least a bit on every 8×8 block, some 512 pixels a byte. A header that
# declares more than this describes a picture its bytes do not hold: a decompression bomb or
# a damaged file.
PIXELS_PER_BYTE_MAX = 10_000


@dataclass(frozen=True)
class FileInfo:
    content_type: str
    extension: str
    size: int
    sha256: str
    # What an image's header declares; None for a PDF or a header that cannot be read.
    width: int | None = None
    height: int | None = None


def pixels_implausible(width: int, height: int, size: int) -> bool:
    """Whether an image of this many pixels in this many bytes is refused: more pixels than
    XT_UPLOAD_MAX_MEGAPIXELS, or more than the bytes can hold. Decoding it would take
    gigabytes of memory."""
    pixels = width * height
    limit = int(settings.XT_UPLOAD_MAX_MEGAPIXELS) * 1_000_000
    return pixels > limit or pixels > PIXELS_PER_BYTE_MAX * max(1, size)


def image_implausible(info: FileInfo) -> bool:
    if info.width is None or info.height is None:
        return False  # not an image, or a header nothing will decode either
    return pixels_implausible(info.width, info.height, info.size)


def content_sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a document format whose signature `head` starts with."""
    return next(((t, e) for magic, t, e in DOCUMENT_SIGNATURES if head.startswith(magic)), None)


def extension_for(content_type: str) -> str | None:
    return next((e for _m, t, e in DOCUMENT_SIGNATURES if t == content_type), None)


def _chunks(upload: Any) -> Iterable[bytes]:
    if hasattr(upload, "chunks"):
        return upload.chunks()
    stream: IO[bytes] = upload
    return iter(lambda: stream.read(65536), b"")


def file_size(upload: Any) -> int:
    return int(getattr(upload, "size", 0) or 0)


def file_inspect(upload: Any) -> FileInfo | None:
    """Type, size and SHA-256 of an uploaded file; None when its content is not a document
    format we keep. The stream is left at its start."""
    stream: IO[bytes] = upload
    stream.seek(0)
    kind = content_sniff(stream.read(16))
    stream.seek(0)
    if kind is None:
        return None
    digest = hashlib.sha256()
    counted = 0
    for chunk in _chunks(upload):
        digest.update(chunk)
        counted += len(chunk)
    stream.seek(0)
    dimensions = image_size(stream, kind[0])
    width, height = dimensions if dimensions is not None else (None, None)
    return FileInfo(kind[0], kind[1], counted, digest.hexdigest(), width, height)
