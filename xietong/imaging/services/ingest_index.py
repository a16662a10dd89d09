"""The index rows of what ingest.py has written to the storage: the studies and series
resolved once per request or association (SessionIndex), the instances inserted a batch at a
time with a duplicate skipped by the unique SOP Instance UID, the counters moved in one
statement per series and per study, and the audit event per study. Everything here runs in
the caller's transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import connection
from django.utils import timezone
from pydicom.dataset import Dataset

from xietong.core.actor import Actor
from xietong.core.audit import audit_record

from ..access import studies_visible_q
from ..dicom import Refusal, series_fields, study_fields
from ..models import Series, Study
from .ingest_sql import rows_insert, series_row, study_row
from .matching import study_match

Settled = Literal["stored", "duplicate"] | Refusal


@dataclass
class Row:
    """An instance whose file is written, ready to be indexed. `header` (its dataset up to
    the pixel data) is there when the session does not know its series yet: the study's and
    series' attributes are read from it if their rows must be made."""

    sop_uid: str
    sop_class_uid: str
    study_uid: str
    series_uid: str
    transfer_syntax: str
    metadata: str
    file: str
    size: int
    fields: dict[str, Any]
    header: Dataset | None = None


@dataclass(frozen=True)
class StudyEntry:
    pk: int
    uuid: Any
    study_instance_uid: str
    patient_id: int | None


@dataclass
class SessionIndex:
    """The studies and series a session has resolved (None: a study it may not add to),
    and the studies it has audited. What a transaction added is forgotten if it rolled
    back."""

    studies: dict[str, StudyEntry | None] = field(default_factory=dict)
    series: dict[str, tuple[int, int]] = field(default_factory=dict)  # uid -> (pk, study pk)
    audited: set[int] = field(default_factory=set)
    _added: list[tuple[str, Any]] = field(default_factory=list)

    def knows(self, study_uid: str, series_uid: str) -> bool:
        """Whether both are resolved (their attributes need not be read again)."""
        return series_uid in self.series and study_uid in self.studies

    def nothing_but_rows(self, rows: Sequence[Row], association: str) -> bool:
        """Whether storing the rows writes their rows and counters only: every study and
        series known, every study already audited in this association."""
        for row in rows:
            study = self.studies.get(row.study_uid)
            if study is None or row.series_uid not in self.series:
                return False
            if not association or study.pk not in self.audited:
                return False
        return True

    def _note(self, kind: str, key: Any) -> None:
        self._added.append((kind, key))

    def keep_committed(self) -> None:
        self._added.clear()

    def forget_uncommitted(self) -> None:
        for kind, key in self._added:
            if kind == "study":
                self.studies.pop(key, None)
            elif kind == "series":
                self.series.pop(key, None)
            else:
                self.audited.discard(key)
        self._added.clear()


def _study_for(
    index: SessionIndex, actor: Actor | None, institution_id: int, row: Row
) -> StudyEntry | None:
    """The study the instance goes into (made on its first instance, with its patient
    matched), or None when the sender may not add to it."""
    if row.study_uid in index.studies:
        return index.studies[row.study_uid]
    study, series = study_row(row.study_uid, row.series_uid)  # one statement for both
    if series is not None:
        index.series[row.series_uid] = series
        index._note("series", row.series_uid)
    if study is None:
        fields = study_fields(row.header) if row.header is not None else {}
        match = study_match(institution_id=institution_id, patient_id=fields["dicom_patient_id"],
                            patient_name=fields["patient_name"],
                            birth_date=fields["patient_birth_date"])  # fmt: skip
        study, _created = Study.objects.get_or_create(
            study_instance_uid=row.study_uid,
            defaults={
                **fields,
                "institution_id": institution_id,
                "patient": match.patient,
                "unmatched_reason": match.unmatched or "",
            },
        )
    entry: StudyEntry | None = StudyEntry(
        study.pk, study.uuid, study.study_instance_uid, study.patient_id
    )
    if study.institution_id != institution_id and not (
        actor is not None and Study.objects.filter(studies_visible_q(actor), pk=study.pk).exists()
    ):
        # Another institution's study: only who may see it adds to it (an expert's report).
        entry = None
    index.studies[row.study_uid] = entry
    index._note("study", row.study_uid)
    return entry


def _series_for(index: SessionIndex, study: StudyEntry, row: Row) -> tuple[int, int]:
    """(series pk, its study's pk); a series made here counts in its study at once."""
    if row.series_uid in index.series:
        return index.series[row.series_uid]
    found = series_row(row.series_uid)
    if found is not None:
        index.series[row.series_uid] = found
        index._note("series", row.series_uid)
        return found
    fields = series_fields(row.header) if row.header is not None else {}
    series, created = Series.objects.get_or_create(
        series_instance_uid=row.series_uid, defaults={"study_id": study.pk, **fields}
    )
    if created:
        # Locked while its modalities change: two senders into one study add up.
        locked = Study.objects.select_for_update().only("modalities", "series_count")
        held = locked.get(pk=study.pk)
        modalities = set(held.modality_list) | ({series.modality} if series.modality else set())
        held.modalities = "/" + "/".join(sorted(modalities)) + "/" if modalities else ""
        held.series_count += 1
        held.save(update_fields=["modalities", "series_count", "updated_at"])
    index.series[row.series_uid] = (series.pk, series.study_id)
    index._note("series", row.series_uid)
    return series.pk, series.study_id


def rows_commit(
    *,
    index: SessionIndex,
    rows: Sequence[Row],
    actor: Actor | None,
    institution_id: int,
    route: str,
    agent: str,
    association: str,
) -> dict[str, Settled]:
    """Indexes the rows (in the caller's transaction) and says what became of each."""
    settled: dict[str, Settled] = {}
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    values: list[tuple[Any, ...]] = []
    placed: dict[str, tuple[int, StudyEntry]] = {}
    for row in rows:
        study = _study_for(index, actor, institution_id, row)
        if study is None:
            settled[row.sop_uid] = Refusal.STUDY_ELSEWHERE
            continue
        series_pk, series_study = _series_for(index, study, row)
        if series_study != study.pk:  # a series UID reused under another study
            settled[row.sop_uid] = Refusal.STUDY_MISMATCH
            continue
        f = row.fields
        values.append((
            series_pk, study.pk, row.sop_uid, row.sop_class_uid, f["instance_number"],
            f["rows"], f["columns"], f["number_of_frames"], row.transfer_syntax, row.metadata,
            row.file, row.size, institution_id, route, at,
        ))  # fmt: skip
        placed[row.sop_uid] = (series_pk, study)
    inserted = rows_insert(values, at) if values else set()  # the counters with them
    study_added: Counter[int] = Counter()
    duplicates: Counter[int] = Counter()
    studies: dict[int, StudyEntry] = {}
    for uid, (_series_pk, study) in placed.items():
        studies[study.pk] = study
        if uid in inserted:
            settled[uid] = "stored"
            study_added[study.pk] += 1
        else:
            settled[uid] = "duplicate"
            duplicates[study.pk] += 1
    for pk in sorted(study_added):
        if association and pk in index.audited:
            continue  # this association's store into the study is on record already
        _store_audit(studies[pk], actor, agent, route, association,
                     study_added[pk], duplicates[pk])  # fmt: skip
        index.audited.add(pk)
        index._note("audited", pk)
    return settled


def _store_audit(
    study: StudyEntry, actor: Actor | None, agent: str, route: str, association: str,
    stored: int, duplicates: int,
) -> None:  # fmt: skip
    detail: dict[str, Any] = {
        "route": route,
        "stored": stored,
        "duplicates": duplicates,
        "study_instance_uid": study.study_instance_uid,
    }
    if association:  # the association's first instances into the study; more may follow
        detail["association"] = association
    audit_record(
        actor=actor,
        username=agent,
        action="imaging_study.store",
        resource_type="ImagingStudy",
        resource_id=study.uuid,
        patient_id=study.patient_id,
        detail=detail,
    )
