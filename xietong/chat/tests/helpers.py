"""A subject type for tests whose policy admits exactly the users a test lists."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from xietong.chat.access import thread_access_register, thread_access_unregister
from xietong.core.actor import Actor

SUBJECT = "test-case"


class Admitted:
    def __init__(self) -> None:
        self.user_ids: set[int] = set()

    def policy(self, actor: Actor, subject_id: str) -> bool:
        return actor.user_id in self.user_ids and subject_id.startswith("case-")


@pytest.fixture
def admitted() -> Iterator[Admitted]:
    rule = Admitted()
    thread_access_register(SUBJECT, rule.policy)
    yield rule
    thread_access_unregister(SUBJECT)


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type)
