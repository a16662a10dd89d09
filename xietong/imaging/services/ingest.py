"""Storing instances into the archive: the one entrance for STOW-RS, the browser's upload and
the C-STORE receiver.

    outcomes = instances_store(actor=actor, institution_id=..., route="stow", items=[data, ...])

Each item (Part 10 bytes, or a pydicom Dataset with its file meta) gets an InstanceOutcome:
stored, a duplicate (the SOP Instance UID is already kept: accepted, nothing written), or
refused with a reason (nothing written). The file is written through the storage before its
index row is committed, so a crash leaves at worst a file without a row, never a row without
a file; a row that is not committed takes its file away. Two senders storing the same
instance at once leave one row: the unique SOP Instance UID decides, the loser's file is
removed and it answers duplicate. Instances are committed in chunks; each chunk writes one
audit event per study it touched (a STOW of 500 instances writes a handful, not 500)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydicom.dataset import Dataset

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import NotPermitted

from ..access import can_store, studies_visible_q
from ..dicom import (
    Parsed,
    Refusal,
    Unstorable,
    dataset_part10,
    instance_fields,
    metadata_json,
    part10_parse,
    series_fields,
    study_fields,
)
from ..models import Instance, Series, Study
from .matching import study_match

Route = Literal["stow", "upload", "cstore"]
CHUNK = 50


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


def _refused(reason: Refusal, parsed: Parsed | None = None) -> InstanceOutcome:
    if parsed is None:
        return InstanceOutcome("refused", reason=reason)
    return InstanceOutcome("refused", parsed.sop_uid, parsed.sop_class_uid, parsed.study_uid,
                           reason, parsed.series_uid)  # fmt: skip


def _outcome(status: Literal["stored", "duplicate"], parsed: Parsed) -> InstanceOutcome:
    return InstanceOutcome(status, parsed.sop_uid, parsed.sop_class_uid, parsed.study_uid,
                           series_instance_uid=parsed.series_uid)  # fmt: skip


def _parse(item: bytes | Dataset) -> Parsed:
    data = dataset_part10(item) if isinstance(item, Dataset) else bytes(item)
    return part10_parse(data)


def _storage_name() -> str:
    return timezone.now().strftime("imaging/%Y/%m/%d/") + uuid.uuid4().hex + ".dcm"


@dataclass
class _StudyTally:
    study: Study
    stored: int = 0
    duplicates: int = 0
    new_series: int = 0
    modalities: set[str] = field(default_factory=set)
    series_counts: dict[int, int] = field(default_factory=dict)


def instances_store(
    *,
    actor: Actor | None,
    institution_id: int,
    route: Route,
    items: Iterable[bytes | Dataset],
    study_uid: str | None = None,
    agent: str = "",
) -> list[InstanceOutcome]:
    """Stores each item for the sending institution, in order. `actor` is the person (or
    token) sending; None for a DICOM peer, named by `agent` (its AE title) in the audit.
    `study_uid`: the study the items were sent to (STOW-RS /studies/{uid}); others refused."""
    if actor is not None and (not can_store(actor) or actor.institution_id != institution_id):
        raise NotPermitted(_("Your role does not allow sending studies to the archive."))
    outcomes: list[InstanceOutcome] = []
    chunk: dict[str, Parsed] = {}
    places: dict[str, int] = {}  # where each of the chunk's instances answers in `outcomes`
    for item in items:
        try:
            parsed = _parse(item)
        except Unstorable as exc:
            outcomes.append(_refused(exc.reason))
            continue
        if study_uid is not None and parsed.study_uid != study_uid:
            outcomes.append(_refused(Refusal.STUDY_MISMATCH, parsed))
            continue
        if parsed.sop_uid in chunk:  # the same instance twice in one request
            outcomes.append(_outcome("duplicate", parsed))
            continue
        chunk[parsed.sop_uid] = parsed
        places[parsed.sop_uid] = len(outcomes)
        outcomes.append(_outcome("stored", parsed))  # settled by the chunk's store
        if len(chunk) >= CHUNK:
            _settle(outcomes, places, _chunk_store(actor, institution_id, route, agent, chunk))
            chunk, places = {}, {}
    if chunk:
        _settle(outcomes, places, _chunk_store(actor, institution_id, route, agent, chunk))
    return outcomes


def instance_store(
    *,
    actor: Actor | None,
    institution_id: int,
    route: Route,
    item: bytes | Dataset,
    study_uid: str | None = None,
    agent: str = "",
) -> InstanceOutcome:
    """One instance (a C-STORE, a file of the browser's upload)."""
    return instances_store(actor=actor, institution_id=institution_id, route=route,
                           items=[item], study_uid=study_uid, agent=agent)[0]  # fmt: skip


def _settle(
    outcomes: list[InstanceOutcome], places: dict[str, int], settled: dict[str, InstanceOutcome]
) -> None:
    for uid, outcome in settled.items():
        outcomes[places[uid]] = outcome


def _chunk_store(
    actor: Actor | None, institution_id: int, route: Route, agent: str, chunk: dict[str, Parsed]
) -> dict[str, InstanceOutcome]:
    known = set(
        Instance.objects.filter(sop_instance_uid__in=list(chunk)).values_list(
            "sop_instance_uid", flat=True
        )
    )
    settled: dict[str, InstanceOutcome] = {}
    files: dict[str, str] = {}
    for parsed in chunk.values():
        if parsed.sop_uid in known:
            settled[parsed.sop_uid] = _outcome("duplicate", parsed)
            continue
        files[parsed.sop_uid] = default_storage.save(_storage_name(), ContentFile(parsed.data))
    written = [p for p in chunk.values() if p.sop_uid in files]
    committed = False
    try:
        with transaction.atomic():
            tallies = _index_write(actor, institution_id, route, written, files, settled)
            _tallies_write(actor, route, agent, tallies)
        committed = True
    finally:
        # Files without a committed row go: a refused or raced instance's, or all of a chunk
        # whose transaction failed.
        for uid, name in files.items():
            outcome = settled.get(uid)
            if not committed or outcome is None or outcome.status != "stored":
                default_storage.delete(name)
    return settled


def _study_for(
    actor: Actor | None, institution_id: int, parsed: Parsed, tallies: dict[str, _StudyTally]
) -> Study | None:
    """The study the instance goes into (made on its first instance, with its patient
    matched), or None when the sender may not add to it."""
    if parsed.study_uid in tallies:
        return tallies[parsed.study_uid].study
    study = Study.objects.filter(study_instance_uid=parsed.study_uid).first()
    if study is None:
        fields = study_fields(parsed.dataset)
        match = study_match(institution_id=institution_id, patient_id=fields["dicom_patient_id"],
                            patient_name=fields["patient_name"],
                            birth_date=fields["patient_birth_date"])  # fmt: skip
        study, _created = Study.objects.get_or_create(
            study_instance_uid=parsed.study_uid,
            defaults={
                **fields,
                "institution_id": institution_id,
                "patient": match.patient,
                "unmatched_reason": match.unmatched or "",
            },
        )
    if study.institution_id != institution_id and not (
        actor is not None and Study.objects.filter(studies_visible_q(actor), pk=study.pk).exists()
    ):
        # Another institution's study: only who may see it adds to it (an expert's report).
        return None
    tallies[parsed.study_uid] = _StudyTally(study)
    return study


def _index_write(
    actor: Actor | None,
    institution_id: int,
    route: Route,
    written: Sequence[Parsed],
    files: dict[str, str],
    settled: dict[str, InstanceOutcome],
) -> dict[str, _StudyTally]:
    tallies: dict[str, _StudyTally] = {}
    series_by_uid: dict[str, Series] = {}
    rows: list[tuple[Parsed, _StudyTally, Series, Instance]] = []
    for parsed in written:
        study = _study_for(actor, institution_id, parsed, tallies)
        if study is None:
            settled[parsed.sop_uid] = _refused(Refusal.STUDY_ELSEWHERE, parsed)
            continue
        tally = tallies[parsed.study_uid]
        series = series_by_uid.get(parsed.series_uid)
        if series is None:
            series, created = Series.objects.get_or_create(
                series_instance_uid=parsed.series_uid,
                defaults={"study": study, **series_fields(parsed.dataset)},
            )
            series_by_uid[parsed.series_uid] = series
            if created:
                tally.new_series += 1
                if series.modality:
                    tally.modalities.add(series.modality)
        if series.study_id != study.pk:  # a series UID reused under another study
            settled[parsed.sop_uid] = _refused(Refusal.STUDY_MISMATCH, parsed)
            continue
        rows.append((parsed, tally, series, Instance(
            series=series, study=study, sop_instance_uid=parsed.sop_uid,
            sop_class_uid=parsed.sop_class_uid, transfer_syntax_uid=parsed.transfer_syntax,
            metadata=metadata_json(parsed), file=files[parsed.sop_uid], size=len(parsed.data),
            institution_id=institution_id, route=route, **instance_fields(parsed.dataset),
        )))  # fmt: skip
    _instances_insert(rows, settled)
    return tallies


def _instances_insert(
    rows: list[tuple[Parsed, _StudyTally, Series, Instance]], settled: dict[str, InstanceOutcome]
) -> None:
    """The chunk's rows in one INSERT; when another sender stored one of them since our
    look-up (the unique SOP Instance UID refuses the whole statement), one by one, theirs
    standing as duplicates."""
    try:
        with transaction.atomic():
            Instance.objects.bulk_create([row for _p, _t, _s, row in rows])
        inserted = [True] * len(rows)
    except IntegrityError:
        inserted = []
        for _parsed, _tally, _series, row in rows:
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
                inserted.append(True)
            except IntegrityError:
                inserted.append(False)
    for (parsed, tally, series, _row), stored in zip(rows, inserted, strict=True):
        if not stored:
            settled[parsed.sop_uid] = _outcome("duplicate", parsed)
            tally.duplicates += 1
            continue
        settled[parsed.sop_uid] = _outcome("stored", parsed)
        tally.stored += 1
        tally.series_counts[series.pk] = tally.series_counts.get(series.pk, 0) + 1


def _tallies_write(
    actor: Actor | None, route: Route, agent: str, tallies: dict[str, _StudyTally]
) -> None:
    for tally in tallies.values():
        for series_pk, count in tally.series_counts.items():
            Series.objects.filter(pk=series_pk).update(instance_count=F("instance_count") + count)
        if not tally.stored:
            continue
        # Locked while its counts and modalities change: two senders into one study add up.
        study = Study.objects.select_for_update().get(pk=tally.study.pk)
        modalities = set(study.modality_list) | tally.modalities
        study.modalities = "/" + "/".join(sorted(modalities)) + "/" if modalities else ""
        study.series_count += tally.new_series
        study.instance_count += tally.stored
        study.save(update_fields=["modalities", "series_count", "instance_count", "updated_at"])
        audit_record(
            actor=actor,
            username=agent,
            action="imaging_study.store",
            resource_type="ImagingStudy",
            resource_id=study.uuid,
            patient_id=study.patient_id,
            detail={
                "route": route,
                "stored": tally.stored,
                "duplicates": tally.duplicates,
                "study_instance_uid": study.study_instance_uid,
            },
        )
