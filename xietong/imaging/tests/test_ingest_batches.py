"""What ingest costs the database, and what a batch keeps when part of it fails: a request's
statements do not grow with its instances, a C-STORE instance of a series the association
already met is one statement on PostgreSQL (the row, its series' and its study's counts;
three elsewhere), and an
instance refused inside a batch leaves the others stored with its reason listed."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xietong.core.models import AuditEvent
from xietong.imaging.dicom import Refusal
from xietong.imaging.models import Instance, Series, Study
from xietong.imaging.services import instances_store
from xietong.imaging.services.ingest import StoreSession, instance_store, session_flush
from xietong.imaging.synthetic import Person, dataset_bytes

from .world import a_patient, a_sender, a_study, person_of, stored

pytestmark = pytest.mark.django_db

_TRANSACTION_WORDS = ("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT", "ROLLBACK")


def _statements(captured: CaptureQueriesContext) -> list[str]:
    """The statements that read or write a table (not the transaction's own)."""
    return [q["sql"] for q in captured.captured_queries
            if not q["sql"].lstrip().upper().startswith(_TRANSACTION_WORDS)]  # fmt: skip


def _files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "imaging"
    return sorted(root.rglob("*.dcm")) if root.exists() else []


def test_a_requests_statements_do_not_grow_with_its_instances():
    sender = a_sender()
    patient = a_patient(sender.institution)
    datasets = a_study(person_of(patient), instances_per_series=23, rows=8, cols=8)
    stored(sender, datasets[:1])  # the study and its series exist
    counts = []
    for part in (datasets[1:3], datasets[3:23]):
        with CaptureQueriesContext(connection) as captured:
            outcomes = stored(sender, part)
        assert {o.status for o in outcomes} == {"stored"}
        counts.append(len(_statements(captured)))
    # The study with its series (one statement), the rows with their counters (one on
    # PostgreSQL; on SQLite the rows, then one per series and per study), the audit event
    # (its chain head and itself: two statements on PostgreSQL, three on SQLite).
    assert counts == ([4, 4] if connection.vendor == "postgresql" else [7, 7])
    assert Study.objects.get().instance_count == 23
    assert Series.objects.get().instance_count == 23


def test_an_association_commits_each_instance_in_one_statement_and_audits_once():
    sender = a_sender()
    patient = a_patient(sender.institution)
    datasets = a_study(person_of(patient), instances_per_series=5, rows=8, cols=8)
    session = StoreSession(actor=None, institution_id=sender.institution.pk, route="cstore",
                           agent="JQX_CT", association="a1")  # fmt: skip
    before = AuditEvent.objects.filter(action="imaging_study.store").count()

    def one(ds) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            outcome = instance_store(actor=None, institution_id=sender.institution.pk,
                                     route="cstore", item=dataset_bytes(ds), agent="JQX_CT",
                                     session=session)  # fmt: skip
        assert outcome.status == "stored"
        return _statements(captured)

    one(datasets[0])
    for ds in datasets[1:]:
        made = one(ds)
        if connection.vendor == "postgresql":  # the row and both counts: one statement
            assert len(made) == 1 and "INSERT" in made[0] and "instance_count" in made[0]
        else:
            assert len(made) == 3, made
            assert "INSERT" in made[0] and "instance_count" in made[2]
    events = AuditEvent.objects.filter(action="imaging_study.store").order_by("id")[before:]
    assert [(e.username, e.detail["association"]) for e in events] == [("JQX_CT", "a1")]
    study = Study.objects.get()
    assert (study.instance_count, study.series_count) == (5, 1)


def test_an_instance_refused_inside_a_batch_leaves_the_others_stored_and_says_why():
    first, second = a_sender(), a_sender()
    theirs = a_study(Person("MRN-9", "李雷"), instances_per_series=2)
    stored(first, theirs[:1])  # another institution's study
    patient = a_patient(second.institution, mrn="MRN-2")
    mine = a_study(person_of(patient, mrn="MRN-2"), instances_per_series=3, rows=8, cols=8)
    outcomes = instances_store(
        actor=second.actor, institution_id=second.institution.pk, route="stow",
        items=[dataset_bytes(mine[0]), dataset_bytes(theirs[1]), dataset_bytes(mine[1]),
               b"not dicom" * 20, dataset_bytes(mine[2]), dataset_bytes(mine[0])],
    )  # fmt: skip
    assert [o.status for o in outcomes] == [
        "stored", "refused", "stored", "refused", "stored", "duplicate",
    ]  # fmt: skip
    assert outcomes[1].reason == Refusal.STUDY_ELSEWHERE
    assert outcomes[1].sop_instance_uid == theirs[1].SOPInstanceUID
    assert outcomes[3].reason == Refusal.NOT_DICOM
    kept = set(Instance.objects.values_list("sop_instance_uid", flat=True))
    assert kept == {theirs[0].SOPInstanceUID, *(d.SOPInstanceUID for d in mine)}
    assert len(_files()) == 4  # the refused instance's file went with it
    study = Study.objects.get(study_instance_uid=mine[0].StudyInstanceUID)
    assert study.instance_count == 3


def test_a_batch_whose_transaction_fails_keeps_nothing_and_the_session_forgets_it(
    monkeypatch: pytest.MonkeyPatch,
):
    sender = a_sender()
    patient = a_patient(sender.institution)
    datasets = a_study(person_of(patient), instances_per_series=3, rows=8, cols=8)
    session = StoreSession(actor=None, institution_id=sender.institution.pk, route="cstore",
                           agent="JQX_CT", association="a2")  # fmt: skip
    from xietong.imaging.services import ingest_index

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ingest_index, "_store_audit", broken)
    with pytest.raises(RuntimeError):
        instance_store(actor=None, institution_id=sender.institution.pk, route="cstore",
                       item=dataset_bytes(datasets[0]), session=session)  # fmt: skip
    assert not Instance.objects.exists() and not Study.objects.exists() and _files() == []
    assert session.index.studies == {} and session.index.audited == set()
    monkeypatch.undo()
    for ds in datasets:
        assert instance_store(actor=None, institution_id=sender.institution.pk,
                              route="cstore", item=dataset_bytes(ds),
                              session=session).status == "stored"  # fmt: skip
    study = Study.objects.get()
    assert (study.instance_count, study.series_count) == (3, 1)
    assert AuditEvent.objects.filter(action="imaging_study.store").count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="waiting for the disk is PostgreSQL's setting"
)
def test_an_association_defers_waiting_for_the_disk_until_it_ends_and_then_waits_again():
    sender = a_sender()
    patient = a_patient(sender.institution)
    datasets = a_study(person_of(patient), instances_per_series=3, rows=8, cols=8)
    session = StoreSession(actor=None, institution_id=sender.institution.pk, route="cstore",
                           agent="JQX_CT", association="a2", flush_deferred=True)  # fmt: skip

    def waits_for_the_disk() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return str(cursor.fetchone()[0])

    for ds in datasets:
        outcome = instance_store(actor=None, institution_id=sender.institution.pk,
                                 route="cstore", item=dataset_bytes(ds), agent="JQX_CT",
                                 session=session)  # fmt: skip
        assert outcome.status == "stored"
        assert waits_for_the_disk() == "off"
    session_flush(session)
    assert waits_for_the_disk() == "on"  # the connection's later work waits as before
    assert Study.objects.get().instance_count == 3
