"""HL7 v2 in and out: the bytes a HIS sends, decoded, parsed and checked; the ACK it gets back.

Parsing, repetitions and escapes are the `hl7` library's; what this module adds is the part a
Chinese HIS needs (the character set named in MSH-18, or the gateway's configured default when
MSH-18 is empty) and errors that name the segment and field, so the HIS's interface engineer
can find the fault in their own message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import hl7

# MSH-18 values (HL7 table 0211 and what Chinese HIS products write) -> Python codecs.
_CHARSETS = {
    "": None,
    "ASCII": "ascii",
    "8859/1": "latin-1",
    "UNICODE UTF-8": "utf-8",
    "UTF-8": "utf-8",
    "UTF8": "utf-8",
    "GB18030": "gb18030",
    "GB 18030-2000": "gb18030",
    "GB18030-2000": "gb18030",
    "GB2312": "gb18030",  # GB18030 is a superset: decoding as it never loses a GB2312 text
    "GBK": "gb18030",
    "CNS 11643-1992": "big5",
}


class HL7Error(Exception):
    """A message the gateway will not accept, with where the fault is.

    `code` is from HL7 table 0357 (100 segment sequence, 101 required field missing, 102 data
    type error, 103 table value not found, 200 unsupported message type, 207 application
    internal error); `ack` is the acknowledgement code the HIS receives (AE: fix the message and
    resend; AR: the gateway refuses it as it stands, e.g. a type it does not take or no room).
    """

    def __init__(
        self,
        text: str,
        *,
        segment: str = "",
        field: int = 0,
        code: int = 102,
        ack: str = "AE",
    ) -> None:
        super().__init__(text)
        self.text = text
        self.segment = segment
        self.field = field
        self.code = code
        self.ack = ack

    @property
    def where(self) -> str:
        return f"{self.segment}-{self.field}" if self.segment and self.field else self.segment


@dataclass(frozen=True)
class Incoming:
    """One decoded, parsed message and the facts every mapping needs."""

    message: hl7.Message
    text: str
    encoding: str
    charset: str  # MSH-18 as written, echoed in the ACK
    message_type: str  # e.g. "ADT"
    event: str  # e.g. "A01"
    control_id: str  # MSH-10
    sending_application: str
    sending_facility: str
    version: str

    def segments(self, name: str) -> list[hl7.Segment]:
        return [s for s in self.message if str(s[0]) == name]

    def first(self, name: str, *, required: bool = True) -> hl7.Segment | None:
        found = self.segments(name)
        if found:
            return found[0]
        if required:
            raise HL7Error(f"缺少 {name} 段 / segment {name} is missing", segment=name, code=100)
        return None

    def unescape(self, text: str) -> str:
        return str(self.message.unescape(text)) if "\\" in text else text


def _msh_fields(raw: bytes) -> list[str]:
    # MSH itself is ASCII up to MSH-18 in every HIS we know; latin-1 never fails, so the
    # charset can be read before the message is decoded with it.
    head = raw.split(b"\r", 1)[0].split(b"\n", 1)[0].decode("latin-1")
    if not head.startswith("MSH") or len(head) < 8:
        raise HL7Error(
            "消息不以 MSH 段开头 / message does not start with MSH", segment="MSH", code=100
        )
    return head[3:].split(head[3])  # [ "", encoding chars, MSH-3, ... ]: index n is MSH-(n+1)


def decode(raw: bytes, *, default_encoding: str) -> tuple[str, str, str]:
    """The message as text, the codec used and MSH-18 as written."""
    fields = _msh_fields(raw)
    charset = (
        fields[17].split(fields[1][1] if len(fields[1]) > 1 else "~")[0] if len(fields) > 17 else ""
    )
    key = charset.strip().upper()
    if key not in _CHARSETS:
        raise HL7Error(
            f"不支持的字符集 {charset!r} / unsupported character set",
            segment="MSH",
            field=18,
            code=103,
        )
    codec = _CHARSETS[key] or default_encoding
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as exc:
        raise HL7Error(
            f"消息不是有效的 {codec} 编码(第 {exc.start} 字节)/ not valid {codec}",
            segment="MSH",
            field=18,
            code=102,
        ) from exc
    return text.replace("\r\n", "\r").replace("\n", "\r").strip("\r"), codec, charset


def parse(raw: bytes, *, default_encoding: str) -> Incoming:
    text, codec, charset = decode(raw, default_encoding=default_encoding)
    try:
        message = hl7.parse(text)
        msh = message.segment("MSH")
    except Exception as exc:  # the library raises bare exceptions on broken structure
        raise HL7Error(f"无法解析消息 / cannot parse: {exc}", segment="MSH", code=102) from exc
    kind = _field(msh, 9)
    parts = kind.split(str(message.separators)[3])  # "\r|~^&": the component separator
    message_type = parts[0].strip()
    event = parts[1].strip() if len(parts) > 1 else ""
    control_id = _field(msh, 10).strip()
    if not message_type:
        raise HL7Error("缺少消息类型 / message type missing", segment="MSH", field=9, code=101)
    if not control_id:
        raise HL7Error("缺少消息控制号 / control id missing", segment="MSH", field=10, code=101)
    return Incoming(
        message=message,
        text=text,
        encoding=codec,
        charset=charset,
        message_type=message_type,
        event=event,
        control_id=control_id,
        sending_application=_field(msh, 3).split("^")[0],
        sending_facility=_field(msh, 4).split("^")[0],
        version=_field(msh, 12),
    )


def _field(segment: hl7.Segment, n: int) -> str:
    try:
        return str(segment(n))
    except IndexError:
        return ""


def reps(incoming: Incoming, segment: hl7.Segment, n: int) -> list[list[str]]:
    """Field n of a segment as its repetitions, each a list of unescaped components."""
    try:
        field = segment(n)
    except IndexError:
        return []
    if str(field) == "":
        return []
    items = list(field)
    if items and all(isinstance(x, str) for x in items):  # one plain value
        return [[incoming.unescape(str(field))]]
    out = []
    for rep in items:
        if isinstance(rep, str):
            out.append([incoming.unescape(rep)])
        else:
            out.append([incoming.unescape(str(c)) for c in rep])
    return [r for r in out if any(r)]


def value(incoming: Incoming, segment: hl7.Segment, n: int, component: int = 1) -> str:
    """The first repetition's component (1-based) of field n, unescaped; "" when absent."""
    found = reps(incoming, segment, n)
    if not found or len(found[0]) < component:
        return ""
    return found[0][component - 1].strip()


def ack(incoming: Incoming | None, *, code: str, error: HL7Error | None = None) -> bytes:
    """An original-mode ACK (MSA, and ERR naming the segment and field on a refusal)."""
    now = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    if incoming is None:  # unparseable: the HIS still deserves an answer it can log
        receiver, facility, event, control, version, charset, codec = (
            "",
            "",
            "",
            "",
            "2.5",
            "",
            "utf-8",
        )
        sender, sender_facility = "XT-GATEWAY", ""
    else:
        msh = incoming.message.segment("MSH")
        receiver, facility = _field(msh, 3), _field(msh, 4)
        sender, sender_facility = _field(msh, 5) or "XT-GATEWAY", _field(msh, 6)
        event, control = incoming.event, incoming.control_id
        version, charset, codec = incoming.version or "2.5", incoming.charset, incoming.encoding
    lines = [
        "|".join(
            [
                "MSH",
                "^~\\&",
                sender,
                sender_facility,
                receiver,
                facility,
                now,
                "",
                f"ACK^{event}^ACK",
                f"ACK{now}{control}"[:20],
                "P",
                version,
                "",
                "",
                "",
                "",
                "",
                charset,
            ]
        ).rstrip("|"),
        "|".join(["MSA", code, control] + ([_escape(error.text)] if error else [])),
    ]
    if error is not None:
        where = f"{error.segment}^1^{error.field}" if error.field else error.segment
        lines.append(
            "|".join(["ERR", "", where, f"{error.code}", "E", "", "", "", _escape(error.text)])
        )
    return "\r".join(lines).encode(codec, errors="replace") + b"\r"


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\E\\")
        .replace("|", "\\F\\")
        .replace("^", "\\S\\")
        .replace("&", "\\T\\")
        .replace("~", "\\R\\")
    )
