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

from xietong.core.actor import Actor
from xietong.core.audit import audit_record

from ..access import studies_visible_q
from ..dicom import Refusal
from ..models import Instance, Series, Study
from .matching import study_match

# Rows per INSERT statement (SQLite allows 32,766 parameters: 15 columns a row).
INSERT_ROWS = 200
_COLUMNS = (
    "series_id", "study_id", "sop_instance_uid", "sop_class_uid", "instance_number", "rows",
    "columns", "number_of_frames", "transfer_syntax_uid", "metadata", "file", "size",
    "institution_id", "route", "received_at",
)  # fmt: skip
Settled = Literal["stored", "duplicate"] | Refusal


@dataclass
class Row:
    """An instance whose file is written, ready to be indexed. Its study's and series'
    attributes are read only when the session does not know its series yet."""

    sop_uid: str
    sop_class_uid: str
    study_uid: str
    series_uid: str
    transfer_syntax: str
    metadata: str
    file: str
    size: int
    fields: dict[str, Any]
    study_fields: dict[str, Any] | None = None
    series_fields: dict[str, Any] | None = None


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
    study = Study.objects.filter(study_instance_uid=row.study_uid).first()
    if study is None:
        fields = row.study_fields or {}
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
    fields = row.series_fields or {}
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


def _insert(values: Sequence[tuple[Any, ...]]) -> set[str]:
    """The rows inserted, those whose SOP Instance UID is already kept skipped (another
    sender's, committed or not yet: the insert waits for it). Returns the UIDs inserted."""
    table = connection.ops.quote_name(Instance._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _COLUMNS)
    one = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    inserted: set[str] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(values), INSERT_ROWS):
            part = values[start : start + INSERT_ROWS]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(part))} "  # noqa: S608 - names from the model
                "ON CONFLICT (sop_instance_uid) DO NOTHING RETURNING sop_instance_uid",
                [v for row in part for v in row],
            )
            inserted.update(uid for (uid,) in cursor.fetchall())
    return inserted


def _counters_add(series: Counter[int], studies: Counter[int], now: Any) -> None:
    """One statement per series and per study, in key order (two senders lock alike)."""
    series_table = connection.ops.quote_name(Series._meta.db_table)
    study_table = connection.ops.quote_name(Study._meta.db_table)
    with connection.cursor() as cursor:
        for pk in sorted(series):
            cursor.execute(
                f"UPDATE {series_table} SET instance_count = instance_count + %s WHERE id = %s",  # noqa: S608
                [series[pk], pk],
            )
        for pk in sorted(studies):
            cursor.execute(
                f"UPDATE {study_table} SET instance_count = instance_count + %s, "  # noqa: S608
                "updated_at = %s WHERE id = %s",
                [studies[pk], now, pk],
            )


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
    now = timezone.now()
    at = connection.ops.adapt_datetimefield_value(now)
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
    inserted = _insert(values) if values else set()
    series_added: Counter[int] = Counter()
    study_added: Counter[int] = Counter()
    duplicates: Counter[int] = Counter()
    studies: dict[int, StudyEntry] = {}
    for uid, (series_pk, study) in placed.items():
        studies[study.pk] = study
        if uid in inserted:
            settled[uid] = "stored"
            series_added[series_pk] += 1
            study_added[study.pk] += 1
        else:
            settled[uid] = "duplicate"
            duplicates[study.pk] += 1
    _counters_add(series_added, study_added, now)
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
