"""Image headers for tests of the decompression-bomb check: real PNG and JPEG structure,
declaring whatever size a test needs."""

from __future__ import annotations

import struct
import zlib


def png(width: int, height: int, pixels: bytes = b"\x00\xff\xff\xff") -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )  # fmt: skip


def jpeg(width: int, height: int, *, exif: int = 200, padding: int = 400) -> bytes:
    """A JPEG's headers as a camera writes them: APP0, an Exif segment, tables, the frame."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    app1 = b"\xff\xe1" + struct.pack(">H", exif + 2) + b"\x00" * exif
    dqt = b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + bytes(range(64))
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + app1 + dqt + sof + b"\x00" * padding + b"\xff\xd9"
