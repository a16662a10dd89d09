"""multipart/related (RFC 2387) as DICOMweb uses it: the parts of a STOW-RS request, and the
parts of a WADO-RS answer, written as they are read from the storage."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email.message import Message


@dataclass(frozen=True)
class Part:
    content_type: str
    body: bytes


class Malformed(ValueError):
    pass


def media_type(header: str) -> tuple[str, dict[str, str]]:
    """The media type of a Content-Type or Accept entry, lower case, and its parameters."""
    message = Message()
    message["content-type"] = header
    found = message.get_params(header="content-type", unquote=True) or []
    params = {k.lower(): v for k, v in found[1:]}
    return message.get_content_type().lower(), params


def parts_read(body: bytes, boundary: str) -> list[Part]:
    """The parts between the boundaries. A body without its closing delimiter is malformed:
    what it carries may have been cut anywhere."""
    delimiter = b"--" + boundary.encode("latin-1")
    start = body.find(delimiter)
    if start < 0:
        raise Malformed("no boundary")
    parts: list[Part] = []
    pos = start + len(delimiter)
    while True:
        if body[pos : pos + 2] == b"--":
            return parts
        line_end = body.find(b"\r\n", pos)  # the rest of the delimiter line (padding)
        if line_end < 0:
            raise Malformed("cut short")
        end = body.find(b"\r\n" + delimiter, line_end + 2)
        if end < 0:
            raise Malformed("no closing delimiter")
        segment = body[line_end + 2 : end]
        if segment.startswith(b"\r\n"):  # a part without headers starts with the blank line
            head, content = b"", segment[2:]
        else:
            head, separator, content = segment.partition(b"\r\n\r\n")
            if not separator:
                raise Malformed("a part without its blank line")
        content_type = ""
        for line in head.decode("latin-1").split("\r\n"):
            name, _colon, value = line.partition(":")
            if name.strip().lower() == "content-type":
                content_type = value.strip()
        parts.append(Part(content_type, content))
        pos = end + 2 + len(delimiter)


def boundary_new() -> str:
    return uuid.uuid4().hex


def parts_write(parts: Iterable[tuple[str, bytes]], boundary: str) -> Iterator[bytes]:
    """The multipart body: each (content type, bytes) as one part, then the closing line."""
    delimiter = f"--{boundary}\r\n".encode("latin-1")
    for content_type, content in parts:
        head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
        yield delimiter + head + content + b"\r\n"
    yield f"--{boundary}--\r\n".encode("latin-1")
