"""Images whose header declares more pixels than is plausible (xietong/core/files.py)."""

from __future__ import annotations

import io

import pytest

from xietong.core.files import file_inspect, image_implausible
from xietong.core.images import image_size
from xietong.core.tests.images import jpeg, png


def test_sizes_are_read_from_the_headers() -> None:
    assert image_size(io.BytesIO(png(640, 480)), "image/png") == (640, 480)
    assert image_size(io.BytesIO(jpeg(4032, 3024)), "image/jpeg") == (4032, 3024)
    assert image_size(io.BytesIO(b"%PDF-1.4"), "application/pdf") is None


def test_a_header_without_a_frame_is_not_judged() -> None:
    stub = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
    assert image_size(io.BytesIO(stub), "image/jpeg") is None


def test_an_ordinary_photo_and_scan_pass() -> None:
    photo = file_inspect(io.BytesIO(jpeg(4032, 3024, padding=2_000_000)))
    assert photo is not None and (photo.width, photo.height) == (4032, 3024)
    assert not image_implausible(photo)
    scan = file_inspect(io.BytesIO(png(1, 1)))
    assert scan is not None and not image_implausible(scan)


@pytest.mark.parametrize(
    "content",
    [
        png(60_000, 60_000),  # 3,600 megapixels
        jpeg(10_000, 6_000, padding=5_000_000),  # 60 megapixels, over the limit
        jpeg(6_000, 6_000, padding=100),  # 36 megapixels in under a kilobyte
    ],
)
def test_bombs_are_refused(content: bytes) -> None:
    info = file_inspect(io.BytesIO(content))
    assert info is not None
    assert image_implausible(info)


def test_the_limit_is_a_setting(settings) -> None:
    info = file_inspect(io.BytesIO(jpeg(4032, 3024, padding=2_000_000)))
    assert info is not None
    settings.XT_UPLOAD_MAX_MEGAPIXELS = 10
    assert image_implausible(info)
