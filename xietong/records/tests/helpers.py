from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from xietong.patients.tests.factories import jpeg_bytes, pdf_bytes, png_bytes, upload

__all__ = [
    "exe_bytes",
    "html_bytes",
    "jpeg_bytes",
    "pdf_bytes",
    "png_bytes",
    "stored_files",
    "upload",
]


def exe_bytes() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def html_bytes() -> bytes:
    return b"<!DOCTYPE html><html><script>alert(1)</script></html>"


def stored_files() -> list[Path]:
    """Every file under the records folder of the test's media root."""
    root = Path(settings.MEDIA_ROOT) / "records"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def pdf(name: str = "report.pdf", size: int = 0) -> Any:
    return upload(pdf_bytes(size), name=name)
