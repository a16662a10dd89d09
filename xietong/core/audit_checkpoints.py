"""Signed checkpoints of the audit chains' heads, appended to a file outside the database.

Whoever owns the database can delete a chain's last links and rewind its head row to match,
and nothing left in the database shows it. A checkpoint records a chain's head (chain, link
number, row id, hash, time) in a file the database owner cannot rewrite, signed with the
audit key so that it cannot be forged either; `audit_verify` then requires every chain to
reach, and agree with, every checkpoint ever written for it (docs/adr/0010)."""

from __future__ import annotations

import datetime as dt
import json
import os
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from .audit_hash import link_digest, payload_signature
from .models import AuditEvent, AuditHead
from .snapshot import read_snapshot

FORMAT = 1
HEAD = "head"
# Written once, by migration core 0004: the last link each chain had before keyed hashing.
# Links without a key are accepted only up to a chain's seal.
SEAL = "seal"
# Enough of the file's end to hold the latest checkpoint of every chain, in practice.
_TAIL_BYTES = 64 * 1024


class CheckpointDamaged(Exception):
    """A line of the checkpoint file that this installation's key did not sign."""


@dataclass(frozen=True)
class Checkpoint:
    chain: int
    seq: int
    event_id: int
    hash: str
    at: str
    kind: str = HEAD
    line: int = 0  # where it was read from; not part of what is signed

    def payload(self) -> dict[str, Any]:
        return {
            "v": FORMAT, "kind": self.kind, "chain": self.chain, "seq": self.seq,
            "id": self.event_id, "hash": self.hash, "at": self.at,
        }  # fmt: skip


def checkpoint_path() -> Path:
    return Path(settings.XT_AUDIT_CHECKPOINT_PATH)


def checkpoint_encode(*, checkpoint: Checkpoint) -> bytes:
    payload = checkpoint.payload()
    payload["sig"] = payload_signature(payload=checkpoint.payload())
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode() + b"\n"


def checkpoint_decode(*, text: bytes, line: int) -> Checkpoint:
    try:
        payload = json.loads(text)
        signature = payload.pop("sig")
        checkpoint = Checkpoint(
            chain=int(payload["chain"]), seq=int(payload["seq"]), event_id=int(payload["id"]),
            hash=str(payload["hash"]), at=str(payload["at"]), kind=str(payload["kind"]),
            line=line,
        )  # fmt: skip
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise CheckpointDamaged(f"checkpoint line {line} cannot be read") from exc
    if payload.get("v") != FORMAT or checkpoint.kind not in (HEAD, SEAL):
        raise CheckpointDamaged(f"checkpoint line {line} has an unknown format")
    if len(checkpoint.hash) != 64 or set(checkpoint.hash) - set("0123456789abcdef"):
        raise CheckpointDamaged(f"checkpoint line {line} has no hash")
    if signature != payload_signature(payload=checkpoint.payload()):
        raise CheckpointDamaged(f"checkpoint line {line} is not signed with the audit key")
    return checkpoint


def checkpoints_append(*, checkpoints: list[Checkpoint], path: Path | None = None) -> None:
    """Appends in one write, so two appenders never interleave their lines; owner-only,
    because the file is only worth anything where the database's owner cannot rewrite it."""
    target = path or checkpoint_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    data = b"".join(checkpoint_encode(checkpoint=c) for c in checkpoints)
    fd = os.open(target, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        if _ends_without_newline(fd=fd):
            data = b"\n" + data  # a line torn by a crash stays a line of its own
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _ends_without_newline(*, fd: int) -> bool:
    size = os.fstat(fd).st_size
    return size > 0 and os.pread(fd, 1, size - 1) != b"\n"


def checkpoints_read(*, path: Path | None = None) -> Iterator[Checkpoint]:
    """Every checkpoint in the file, in the order written; CheckpointDamaged at the first line
    that does not hold. A last line without its newline is a write cut short, not a line."""
    target = path or checkpoint_path()
    if not target.exists():
        return
    with target.open("rb") as lines:
        for number, text in enumerate(lines, start=1):
            if text.endswith(b"\n"):
                yield checkpoint_decode(text=text, line=number)


@dataclass
class _Marks:
    # A year of checkpoints every few minutes is hundreds of thousands of lines: packed
    # arrays keep them in tens of megabytes where objects would take hundreds.
    seqs: array[int] = field(default_factory=lambda: array("q"))
    ids: array[int] = field(default_factory=lambda: array("q"))
    lines: array[int] = field(default_factory=lambda: array("q"))
    hashes: bytearray = field(default_factory=bytearray)


class CheckpointIndex:
    """The checkpoints of the file, by chain, for one walk of the chains."""

    def __init__(self) -> None:
        self._marks: dict[int, _Marks] = {}
        self._highest: dict[int, Checkpoint] = {}
        self._sealed: dict[int, int] = {}

    def add(self, *, checkpoint: Checkpoint) -> None:
        marks = self._marks.setdefault(checkpoint.chain, _Marks())
        marks.seqs.append(checkpoint.seq)
        marks.ids.append(checkpoint.event_id)
        marks.lines.append(checkpoint.line)
        marks.hashes += bytes.fromhex(checkpoint.hash)
        top = self._highest.get(checkpoint.chain)
        if top is None or checkpoint.seq > top.seq:
            self._highest[checkpoint.chain] = checkpoint
        if checkpoint.kind == SEAL:
            sealed = self._sealed.get(checkpoint.chain, 0)
            self._sealed[checkpoint.chain] = max(sealed, checkpoint.seq)

    def chains(self) -> set[int]:
        return set(self._marks)

    def highest(self, *, chain: int) -> Checkpoint | None:
        return self._highest.get(chain)

    def sealed_through(self, *, chain: int) -> int:
        """The last link of `chain` that may carry a hash without a key."""
        return self._sealed.get(chain, 0)

    def marks(self, *, chain: int) -> Iterator[tuple[int, int, str, int]]:
        """(link number, row id, hash, file line) of every checkpoint of `chain`, by link."""
        marks = self._marks.get(chain)
        if marks is None:
            return
        for i in sorted(range(len(marks.seqs)), key=marks.seqs.__getitem__):
            digest = marks.hashes[i * 32 : i * 32 + 32].hex()
            yield marks.seqs[i], marks.ids[i], digest, marks.lines[i]


def checkpoint_index_read(*, path: Path | None = None) -> CheckpointIndex:
    index = CheckpointIndex()
    for checkpoint in checkpoints_read(path=path):
        index.add(checkpoint=checkpoint)
    return index


def audit_checkpoint(*, path: Path | None = None) -> list[Checkpoint]:
    """Appends a signed checkpoint of every chain head that moved since its last one, and
    returns them. Safe to run twice, or from two clocks at once: a repeated checkpoint only
    says again what the one before it said."""
    target = path or checkpoint_path()
    known = _latest_near_the_end(path=target)
    now = timezone.now().astimezone(dt.UTC).replace(microsecond=0).isoformat()
    fresh: list[Checkpoint] = []
    with read_snapshot():
        for head in AuditHead.objects.filter(seq__gt=0).order_by("pk"):
            if known.get(head.pk) == (head.seq, head.last_hash):
                continue
            last = AuditEvent.objects.filter(chain=head.pk, seq=head.seq).first()
            # Only a head that agrees with a sound last link is vouched for; anything else
            # is for audit_verify to report, not for a checkpoint to make look settled.
            if last is None or last.hash != head.last_hash or link_digest(event=last) != last.hash:
                continue
            fresh.append(
                Checkpoint(chain=head.pk, seq=head.seq, event_id=last.pk, hash=last.hash, at=now)
            )
    if fresh:
        checkpoints_append(checkpoints=fresh, path=target)
    return fresh


def _latest_near_the_end(*, path: Path) -> dict[int, tuple[int, str]]:
    """The latest checkpoint of each chain found in the file's last lines. A chain missing
    here is checkpointed again: harmless, where reading a long file every few minutes is not."""
    if not path.exists():
        return {}
    with path.open("rb") as file:
        size = file.seek(0, os.SEEK_END)
        file.seek(max(0, size - _TAIL_BYTES))
        tail = file.read().split(b"\n")
    if size > _TAIL_BYTES:
        tail = tail[1:]  # the first piece is the end of a line cut in two
    latest: dict[int, tuple[int, str]] = {}
    for text in tail[:-1]:  # the last piece follows the final newline
        try:
            checkpoint = checkpoint_decode(text=text, line=0)
        except CheckpointDamaged:
            continue  # audit_verify reports it; here it only means "checkpoint again"
        latest[checkpoint.chain] = (checkpoint.seq, checkpoint.hash)
    return latest
