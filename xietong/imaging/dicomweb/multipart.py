"""multipart/related (RFC 2387) as DICOMweb uses it: the parts of a STOW-RS request, and the
parts of a WADO-RS answer, written as they are read from the storage."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email.message import Message
from typing import Protocol


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


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def _headers_split(segment: bytes) -> Part:
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
    return Part(content_type, content)


def parts_stream(stream: Readable, boundary: str, block: int = 1 << 20) -> Iterator[Part]:
    """The parts as they arrive, each yielded once its closing delimiter is read, so a
    study of hundreds of instances is never in memory whole. Malformed when the body ends
    before its closing delimiter (the parts before it were whole, and were yielded)."""
    delimiter = b"--" + boundary.encode("latin-1")
    separator = b"\r\n" + delimiter
    buffer = bytearray()
    ended = False

    def more() -> None:
        nonlocal ended
        chunk = stream.read(block)
        if chunk:
            buffer.extend(chunk)
        else:
            ended = True

    while (start := buffer.find(delimiter)) < 0:  # the preamble before the first part
        if ended:
            raise Malformed("no boundary")
        more()
    del buffer[:start]
    while True:
        while len(buffer) < len(delimiter) + 2 and not ended:
            more()
        if buffer[len(delimiter) : len(delimiter) + 2] == b"--":
            return
        while (line_end := buffer.find(b"\r\n", len(delimiter))) < 0:
            if ended:
                raise Malformed("cut short")
            more()
        searched = line_end
        while (end := buffer.find(separator, searched)) < 0:
            if ended:
                raise Malformed("no closing delimiter")
            searched = max(line_end, len(buffer) - len(separator))
            more()
        yield _headers_split(bytes(buffer[line_end + 2 : end]))
        del buffer[: end + 2]


def boundary_new() -> str:
    return uuid.uuid4().hex


def parts_write(parts: Iterable[tuple[str, bytes]], boundary: str) -> Iterator[bytes]:
    """The multipart body: each (content type, bytes) as one part, then the closing line."""
    delimiter = f"--{boundary}\r\n".encode("latin-1")
    for content_type, content in parts:
        head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
        yield delimiter + head + content + b"\r\n"
    yield f"--{boundary}--\r\n".encode("latin-1")
