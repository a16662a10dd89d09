"""The width and height an uploaded PNG or JPEG declares, read from its header without
decoding a pixel, so that a decompression bomb (a small file that expands to gigabytes) is
refused before anything (a browser, the PDF renderer) tries to draw it."""

from __future__ import annotations

import struct
from typing import IO

# JPEG start-of-frame markers carry the size: C0–CF except C4 (Huffman tables), C8
# (reserved) and CC (arithmetic conditioning).
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers that stand alone, without a length: TEM, RST0–7, SOI, EOI.
_STANDALONE = frozenset({0x01, *range(0xD0, 0xDA)})
# A JPEG's frame header comes after its application segments (Exif, ICC profiles), each at
# most 64 KB; a file with more than this many segments before it is not looked into.
_MAX_SEGMENTS = 64


def _png_size(stream: IO[bytes]) -> tuple[int, int] | None:
    stream.seek(0)
    head = stream.read(24)
    # The signature (8 bytes), then the IHDR chunk's length and type, then width and height.
    if len(head) < 24 or head[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", head[16:24])
    return int(width), int(height)


def _jpeg_size(stream: IO[bytes]) -> tuple[int, int] | None:
    stream.seek(2)  # after SOI
    for _segment in range(_MAX_SEGMENTS):
        byte = stream.read(1)
        if byte != b"\xff":
            return None
        marker = stream.read(1)
        while marker == b"\xff":  # fill bytes may pad a marker
            marker = stream.read(1)
        if not marker:
            return None
        code = marker[0]
        if code in _STANDALONE:
            continue
        raw_length = stream.read(2)
        if len(raw_length) < 2:
            return None
        (length,) = struct.unpack(">H", raw_length)
        if code in _SOF_MARKERS:
            frame = stream.read(5)  # precision, height, width
            if len(frame) < 5:
                return None
            height, width = struct.unpack(">HH", frame[1:5])
            return int(width), int(height)
        if length < 2:
            return None
        stream.seek(length - 2, 1)
    return None


def image_size(stream: IO[bytes], content_type: str) -> tuple[int, int] | None:
    """(width, height) declared by a PNG or JPEG; None for other types or a header this
    cannot read. The stream is left at its start."""
    try:
        if content_type == "image/png":
            return _png_size(stream)
        if content_type == "image/jpeg":
            return _jpeg_size(stream)
        return None
    finally:
        stream.seek(0)
