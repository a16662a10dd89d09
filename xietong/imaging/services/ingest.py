"""Storing instances into the archive: the one entrance for STOW-RS, the browser's upload and
the C-STORE receiver.

    outcomes = instances_store(actor=actor, institution_id=..., route="stow", items=[data, ...])

Each item (Part 10 bytes, or a pydicom Dataset with its file meta) gets an InstanceOutcome:
stored, a duplicate (the SOP Instance UID is already kept: accepted, nothing written), or
refused with a reason (nothing written). The file is written through the storage, as the
bytes were received, before its index row is committed, so a crash leaves at worst a file
without a row, never a row without a file; a row that is not committed takes its file away.
Two senders storing the same instance at once leave one row: the unique SOP Instance UID
decides (the insert skips a row already there), the loser's file is removed and it answers
duplicate.

What a request (or a DICOM association) sends is remembered in a StoreSession: the studies
and series it resolved, so that their rows are read once, not per instance, and the studies
whose store it has audited. A request's instances are committed together (one transaction
for up to BATCH instances, the rows in a few statements), and its audit is one event per
study; an association commits each instance as it acknowledges it, and audits each study in
the transaction of its first instance (docs/adr/0022-dicomweb.md, "Ingest")."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Literal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydicom.dataset import Dataset

from xietong.core.actor import Actor
from xietong.core.errors import NotPermitted

from ..access import can_store
from ..dicom import (
    Parsed,
    Refusal,
    Unstorable,
    dataset_part10,
    instance_fields,
    metadata_json,
    part10_parse,
)
from .ingest_index import Row, SessionIndex, rows_commit
from .ingest_sql import commit_flush_defer, commits_flush, one_statement

Route = Literal["stow", "upload", "cstore"]
# Instances committed in one transaction by a request: its rows stay in memory until then
# (their metadata, not their files), so a request of any size is a few transactions.
BATCH = 1000


@dataclass(frozen=True)
class InstanceOutcome:
    """What became of one item. `reason` is a Refusal code when refused, else empty."""

    status: Literal["stored", "duplicate", "refused"]
    sop_instance_uid: str = ""
    sop_class_uid: str = ""
    study_instance_uid: str = ""
    reason: Refusal | None = None
    series_instance_uid: str = ""

    @property
    def accepted(self) -> bool:
        return self.status != "refused"

    @property
    def message(self) -> str:
        return self.reason.message if self.reason else ""


def _refused(reason: Refusal, parsed: Parsed | Row | None = None) -> InstanceOutcome:
    if parsed is None:
        return InstanceOutcome("refused", reason=reason)
    return InstanceOutcome("refused", parsed.sop_uid, parsed.sop_class_uid, parsed.study_uid,
                           reason, parsed.series_uid)  # fmt: skip


def _outcome(status: Literal["stored", "duplicate"], parsed: Parsed | Row) -> InstanceOutcome:
    return InstanceOutcome(status, parsed.sop_uid, parsed.sop_class_uid, parsed.study_uid,
                           series_instance_uid=parsed.series_uid)  # fmt: skip


def _parse(item: bytes | Dataset) -> Parsed:
    data = dataset_part10(item) if isinstance(item, Dataset) else bytes(item)
    return part10_parse(data)


def _storage_name() -> str:
    return timezone.now().strftime("imaging/%Y/%m/%d/") + uuid.uuid4().hex + ".dcm"


@dataclass
class StoreSession:
    """One request's or one association's store: who sends, and what it has resolved so
    far (StoreSession.index). A C-STORE receiver keeps one per association."""

    actor: Actor | None
    institution_id: int
    route: Route
    agent: str = ""
    # Set for an association: its events say which one, and each study is audited once in it.
    association: str = ""
    index: SessionIndex = field(default_factory=SessionIndex)
    # An association's commits are acknowledged without waiting for each to reach the disk;
    # session_flush waits for all of them when it ends (docs/adr/0029-cstore-throughput.md).
    flush_deferred: bool = False
    _deferring: bool = False

    def __post_init__(self) -> None:
        actor = self.actor
        if actor is not None and (
            not can_store(actor) or actor.institution_id != self.institution_id
        ):
            raise NotPermitted(_("Your role does not allow sending studies to the archive."))


def instances_store(
    *,
    actor: Actor | None,
    institution_id: int,
    route: Route,
    items: Iterable[bytes | Dataset],
    study_uid: str | None = None,
    agent: str = "",
    session: StoreSession | None = None,
) -> list[InstanceOutcome]:
    """Stores each item for the sending institution, in order. `actor` is the person (or
    token) sending; None for a DICOM peer, named by `agent` (its AE title) in the audit.
    `study_uid`: the study the items were sent to (STOW-RS /studies/{uid}); others refused.
    `session`: an association's, to go on with; a request makes its own."""
    if session is None:
        session = StoreSession(actor, institution_id, route, agent)
    outcomes: list[InstanceOutcome] = []
    pending: list[Row] = []
    places: dict[str, int] = {}  # where each pending instance answers in `outcomes`
    # The series of the pending batch whose rows carry their study's and series' attributes
    # already: the first row of each resolves them when the batch commits.
    described: set[tuple[str, str]] = set()
    try:
        for item in items:
            try:
                parsed = _parse(item)
            except Unstorable as exc:
                outcomes.append(_refused(exc.reason))
                continue
            if study_uid is not None and parsed.study_uid != study_uid:
                outcomes.append(_refused(Refusal.STUDY_MISMATCH, parsed))
                continue
            if parsed.sop_uid in places:  # the same instance twice in one request
                outcomes.append(_outcome("duplicate", parsed))
                continue
            places[parsed.sop_uid] = len(outcomes)
            outcomes.append(_outcome("stored", parsed))  # settled when its batch commits
            pending.append(_row_of(parsed, session.index, described))
            if len(pending) >= BATCH:
                _settle(session, outcomes, places, pending)
                pending, described = [], set()
        if pending:
            _settle(session, outcomes, places, pending)
            pending = []
    finally:
        for row in pending:  # an item failed to read in a way not foreseen: none is kept
            default_storage.delete(row.file)
    return outcomes


def instance_store(
    *,
    actor: Actor | None,
    institution_id: int,
    route: Route,
    item: bytes | Dataset,
    study_uid: str | None = None,
    agent: str = "",
    session: StoreSession | None = None,
) -> InstanceOutcome:
    """One instance (a C-STORE, a file of the browser's upload)."""
    return instances_store(actor=actor, institution_id=institution_id, route=route,
                           items=[item], study_uid=study_uid, agent=agent,
                           session=session)[0]  # fmt: skip


def session_flush(session: StoreSession) -> None:
    """Waits until every commit of the session is on disk (its end: a released or aborted
    association), and commits wait for the disk again on this connection."""
    if session._deferring:
        commits_flush()
        session._deferring = False


class _Whole(ContentFile):
    """The received bytes, handed to the storage as one chunk: a file system storage writes
    them in one call rather than 64 KB at a time (a 512 KB image took nine)."""

    DEFAULT_CHUNK_SIZE = 1 << 30


def _row_of(parsed: Parsed, index: SessionIndex, described: set[tuple[str, str]]) -> Row:
    """The instance's file written (the bytes as received) and its row made ready; its
    bytes are not kept past this. The header (without the pixel data) is kept only for a
    series neither the session nor the batch (`described`) has met: the study's and series'
    attributes are read from it when their rows are made, not when they exist already."""
    name = default_storage.save(_storage_name(), _Whole(parsed.data))
    try:
        ds = parsed.dataset
        pair = (parsed.study_uid, parsed.series_uid)
        known = pair in described or index.knows(*pair)
        described.add(pair)
        return Row(
            sop_uid=parsed.sop_uid, sop_class_uid=parsed.sop_class_uid,
            study_uid=parsed.study_uid, series_uid=parsed.series_uid,
            transfer_syntax=parsed.transfer_syntax, metadata=metadata_json(parsed),
            file=name, size=len(parsed.data), fields=instance_fields(ds),
            header=None if known else ds,
        )  # fmt: skip
    except BaseException:
        default_storage.delete(name)
        raise


def _settle(
    session: StoreSession, outcomes: list[InstanceOutcome], places: dict[str, int],
    rows: list[Row],
) -> None:  # fmt: skip
    """Commits the rows (one transaction) and answers for each; files without a committed
    row go: a refused or raced instance's, or all of them when the transaction failed."""
    committed = False
    settled: dict[str, Literal["stored", "duplicate"] | Refusal] = {}
    # An association's instance into a study and series it has met (and audited) is one
    # statement on PostgreSQL, committed as it runs: no transaction around it.
    alone = one_statement() and session.index.nothing_but_rows(rows, session.association)
    if session.flush_deferred and not session._deferring:
        session._deferring = commit_flush_defer()
    try:
        with nullcontext() if alone else transaction.atomic():
            settled = rows_commit(
                index=session.index, rows=rows, actor=session.actor,
                institution_id=session.institution_id, route=session.route,
                agent=session.agent, association=session.association,
            )  # fmt: skip
        committed = True
    finally:
        if not committed:
            session.index.forget_uncommitted()
        for row in rows:
            if not committed or settled.get(row.sop_uid) != "stored":
                default_storage.delete(row.file)
    session.index.keep_committed()
    for row in rows:
        result = settled[row.sop_uid]
        place = places[row.sop_uid]
        if isinstance(result, Refusal):
            outcomes[place] = _refused(result, row)
        else:
            outcomes[place] = _outcome(result, row)
