"""Checking an attachment by its content (not its name): PDF, JPEG or PNG, within
settings.XT_UPLOAD_MAX_MB."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from xietong.core.errors import Message
from xietong.core.files import pixels_implausible
from xietong.core.images import image_size
from xietong.patients.validation import image_too_large_message, interpolate

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


@dataclass(frozen=True)
class AttachmentInfo:
    content_type: str
    size: int


class AttachmentInvalid(ValueError):
    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


def attachment_inspect(upload: Any) -> AttachmentInfo:
    size = int(getattr(upload, "size", 0) or 0)
    limit_mb = int(settings.XT_UPLOAD_MAX_MB)
    if size > limit_mb * 1024 * 1024:
        raise AttachmentInvalid(
            interpolate(_("The file is larger than %(limit)d MB."), limit=limit_mb)
        )
    if size == 0:
        raise AttachmentInvalid(_("The file is empty."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = next((t for magic, t in _SIGNATURES if head.startswith(magic)), None)
    if content_type is None:
        raise AttachmentInvalid(_("Attach a PDF, JPEG or PNG file."))
    dimensions = image_size(upload, content_type)
    if dimensions is not None and pixels_implausible(*dimensions, size=size):
        raise AttachmentInvalid(image_too_large_message(*dimensions))
    return AttachmentInfo(content_type, size)
