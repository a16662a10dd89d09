"""Checks of single values that services and selectors share: phone numbers, identifier
values and consent scans. Each returns the normalised value or raises FieldInvalid."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from xietong.core.errors import Message
from xietong.core.files import file_inspect, file_size, image_implausible
from xietong.core.names import name_problem


def _interpolate(message: Promise | str, values: dict[str, Any]) -> str:
    return str(message) % values


_interpolate_lazy = lazy(_interpolate, str)


def interpolate(message: Promise | str, **values: Any) -> Any:
    """`message % values`, translated when shown rather than when raised: an error built
    in one language is read in another (the API answers in the caller's language)."""
    return _interpolate_lazy(message, values)


class FieldInvalid(ValueError):
    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


def person_name_check(value: str) -> None:
    """Refuses a name that shows nothing, or carries text-direction controls, NUL or
    noncharacters (xietong/core/names.py), so no record can pass for another on screen."""
    problem = name_problem(value)
    if problem is not None:
        raise FieldInvalid(problem)


_PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LOCAL_NUMBER = re.compile(r"[2-9]\d{6,7}")


def phone_normalise(value: str) -> str:
    """A Chinese mobile number (11 digits, 1[3-9]…) or a landline with its area code,
    stored as 13812345678 or 0371-65432100, so that an exact search finds it however it
    was typed."""
    digits = _PHONE_SEPARATORS.sub("", value)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if _MOBILE.fullmatch(digits):
        return digits
    if digits.startswith("0") and digits.isdigit():
        # Beijing (010) and the 02x cities have three-digit area codes; the rest have four.
        area_len = 3 if digits.startswith(("010", "02")) else 4
        area, local = digits[:area_len], digits[area_len:]
        if _LOCAL_NUMBER.fullmatch(local):
            return f"{area}-{local}"
    raise FieldInvalid(
        _(
            "Enter a mobile number (11 digits starting with 13 to 19) or a landline number "
            "with its area code, such as 0371-65432100."
        )
    )


_IDENTIFIER_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/\-]*")


def identifier_value_normalise(value: str) -> str:
    cleaned = value.strip().upper()
    if not cleaned:
        raise FieldInvalid(_("This field is required."))
    if len(cleaned) > 64:
        raise FieldInvalid(_("At most 64 characters."))
    if not _IDENTIFIER_VALUE.fullmatch(cleaned):
        raise FieldInvalid(
            _(
                "Use letters, digits and the characters . _ / - only, "
                "starting with a letter or digit."
            )
        )
    return cleaned


def image_too_large_message(width: int, height: int) -> Any:
    """The refusal of an image `pixels_implausible` judges a bomb (records and chat use it)."""
    return interpolate(
        _(
            "The image is %(width)d × %(height)d pixels: more than %(limit)d megapixels, "
            "or more than its file can hold, so it may be damaged. Save it again at a "
            "normal resolution."
        ),
        width=width,
        height=height,
        limit=int(settings.XT_UPLOAD_MAX_MEGAPIXELS),
    )


@dataclass(frozen=True)
class ScanInfo:
    content_type: str
    extension: str
    size: int
    sha256: str


def scan_inspect(scan: Any) -> ScanInfo:
    """Type, size and SHA-256 of an uploaded scan; FieldInvalid when it is not one we keep.
    The format is judged by the file's first bytes (xietong.core.files), never its name."""
    if scan is None:
        raise FieldInvalid(_("Attach the scanned consent form."))
    size = file_size(scan)
    limit_mb = int(settings.XT_UPLOAD_MAX_MB)
    if size > limit_mb * 1024 * 1024:
        raise FieldInvalid(
            interpolate(
                _("The file is larger than %(limit)d MB. Scan it at a lower resolution."),
                limit=limit_mb,
            )
        )
    if size == 0:
        raise FieldInvalid(_("The file is empty."))
    info = file_inspect(scan)
    if info is None:
        raise FieldInvalid(_("The scan must be a PDF, JPEG or PNG file."))
    if image_implausible(info):
        raise FieldInvalid(image_too_large_message(info.width or 0, info.height or 0))
    return ScanInfo(info.content_type, info.extension, info.size, info.sha256)
