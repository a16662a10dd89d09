"""What an uploaded file is, judged by its first bytes: its name and declared type say
nothing about it. Shared by every app that keeps patients' documents (consent scans,
clinical records); each app words its own refusals."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

# The formats a patient's document may have: (magic, content type, extension).
DOCUMENT_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
DOCUMENT_CONTENT_TYPES = frozenset(t for _m, t, _e in DOCUMENT_SIGNATURES)


@dataclass(frozen=True)
class FileInfo:
    content_type: str
    extension: str
    size: int
    sha256: str


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
    for chunk in _chunks(upload):
        digest.update(chunk)
    stream.seek(0)
    return FileInfo(kind[0], kind[1], file_size(upload), digest.hexdigest())
