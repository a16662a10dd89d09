"""Two senders storing the same instances at once: one row each, one file each, every
instance answered stored by one sender and duplicate by the other."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import close_old_connections, connection

from xietong.imaging.models import Instance, Series, Study
from xietong.imaging.synthetic import Person, dataset_bytes

from .world import a_sender, a_study, stored

postgres_only = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL: SQLite serialises writers, so stores cannot race",
)


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_racing_stores_of_one_study_keep_each_instance_once() -> None:
    sender = a_sender()
    colleague = a_sender(sender.institution)
    datasets = a_study(Person("MRN-9", "李雷"), series_count=2, instances_per_series=4,
                       rows=16, cols=16)  # fmt: skip
    assert dataset_bytes(datasets[0])  # encoded before the threads start
    start = threading.Barrier(2)
    answers: list[list[str]] = []
    errors: list[BaseException] = []

    def store(who) -> None:
        try:
            start.wait(10)
            answers.append([o.status for o in stored(who, datasets)])
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=store, args=(s,)) for s in (sender, colleague)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    for n in range(len(datasets)):
        assert sorted(a[n] for a in answers) == ["duplicate", "stored"]
    assert Instance.objects.count() == 8 and Series.objects.count() == 2
    study = Study.objects.get()
    assert (study.instance_count, study.series_count) == (8, 2)
    assert len(list((Path(settings.MEDIA_ROOT) / "imaging").rglob("*.dcm"))) == 8
