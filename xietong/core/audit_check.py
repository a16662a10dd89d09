"""Verifying the audit log: every chain from its first link to its head row, against every
signed checkpoint, in one consistent snapshot of the database (docs/adr/0009, 0010)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from .audit_checkpoints import CheckpointDamaged, CheckpointIndex, checkpoint_index_read
from .audit_hash import GENESIS, LEGACY_VERSION, link_digest
from .models import AuditEvent, AuditHead
from .snapshot import read_snapshot

# What failed, for the people who read the report (the view words each one).
MISSING = "missing"  # a link is not there, or links after the last one were removed
PREVIOUS = "previous"  # a link does not carry its predecessor's hash
CONTENT = "content"  # a link's content does not give its hash
UNKEYED = "unkeyed"  # a link without a keyed hash, where only keyed ones may be
HEAD = "head"  # the head row is gone or does not match the chain's last link
CHECKPOINT = "checkpoint"  # a link differs from what a signed checkpoint recorded
CHECKPOINT_FILE = "checkpoint_file"  # a line of the checkpoint file is not ours


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""  # for operators, in English
    chain: int | None = None
    kind: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def audit_verify(*, batch: int = 5000, checkpoint_path: Path | None = None) -> ChainReport:
    """Walk every chain from its first link and name the first link that does not hold."""
    # The checkpoints are read before the snapshot begins. Each was taken from data committed
    # before it was written, so the snapshot holds everything any of them saw.
    try:
        index = checkpoint_index_read(path=checkpoint_path)
    except CheckpointDamaged as damaged:
        return ChainReport(0, broken_at=0, reason=str(damaged), kind=CHECKPOINT_FILE)
    checked = 0
    with read_snapshot():
        heads = {head.pk: head for head in AuditHead.objects.all()}
        stored = AuditEvent.objects.order_by("chain").values_list("chain", flat=True).distinct()
        for chain in sorted(set(heads) | set(stored) | index.chains()):
            walk = _ChainWalk(chain=chain, head=heads.get(chain), index=index)
            report = walk.run(batch=batch)
            if not report.ok:
                return replace(report, checked=checked + report.checked)
            checked += report.checked
    return ChainReport(checked)


class _ChainWalk:
    """One chain, link by link, with the checkpoints of it in link order beside it."""

    def __init__(self, *, chain: int, head: AuditHead | None, index: CheckpointIndex) -> None:
        self.chain, self.head, self.index = chain, head, index
        self.sealed = index.sealed_through(chain=chain)
        self.marks: Iterator[tuple[int, int, str, int]] = index.marks(chain=chain)
        self.mark = next(self.marks, None)
        self.seq = 0  # the last link that held
        self.hash = GENESIS  # and its hash

    def run(self, *, batch: int) -> ChainReport:
        rows = AuditEvent.objects.filter(chain=self.chain).order_by("seq")
        while page := list(rows.filter(seq__gt=self.seq)[:batch]):
            for event in page:
                problem = self._link_problem(event=event)
                if problem is not None:
                    return self._broken(*problem)
                self.seq, self.hash = event.seq, event.hash
        problem = self._end_problem()
        return ChainReport(self.seq) if problem is None else self._broken(*problem)

    def _broken(self, link: int, kind: str, reason: str) -> ChainReport:
        return ChainReport(self.seq, broken_at=link, reason=reason, chain=self.chain, kind=kind)

    def _link_problem(self, *, event: AuditEvent) -> tuple[int, str, str] | None:
        expected = self.seq + 1
        if event.seq != expected:
            return expected, MISSING, f"link {expected} is missing"
        if event.prev_hash != self.hash:
            return event.seq, PREVIOUS, "previous hash does not match"
        if event.hash_version == LEGACY_VERSION and event.seq > self.sealed:
            # Otherwise anyone could rewrite links as "legacy" ones, which need no key.
            return event.seq, UNKEYED, "link has no keyed hash and was not sealed as a legacy one"
        if link_digest(event=event) != event.hash:
            return event.seq, CONTENT, "content does not match its hash"
        while self.mark is not None and self.mark[0] == event.seq:
            _, event_id, digest, line = self.mark
            if digest != event.hash or event_id != event.pk:
                return event.seq, CHECKPOINT, f"link differs from checkpoint line {line}"
            self.mark = next(self.marks, None)
        return None

    def _end_problem(self) -> tuple[int, str, str] | None:
        after = self.seq + 1
        top = self.index.highest(chain=self.chain)
        if top is not None and top.seq > self.seq:
            return after, MISSING, (
                f"links after {self.seq} are missing: checkpoint line {top.line} "
                f"({top.at}) recorded link {top.seq}"
            )  # fmt: skip
        head = self.head
        if head is None:
            if self.seq == 0:
                return None
            return after, HEAD, f"the head row is gone: links after {self.seq} may be missing"
        if head.seq > self.seq:
            return after, MISSING, f"links after {self.seq} are missing"
        if head.seq < self.seq:
            return head.seq + 1, HEAD, f"the head row names link {head.seq}, not {self.seq}"
        if head.last_hash != self.hash:
            return self.seq, HEAD, f"the head row does not match link {self.seq}"
        return None
