"""Two people replacing the same document at once: one version wins, the other is told,
and no orphaned file is left behind."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import close_old_connections, connection

from xietong.accounts.tests.factories import make_actor
from xietong.core.actor import Actor
from xietong.core.errors import Conflict
from xietong.patients.tests.factories import institution_of, make_patient
from xietong.records.models import ClinicalDocument, DocumentStatus
from xietong.records.services import document_replace, document_upload
from xietong.records.tests.helpers import pdf, stored_files

postgres_only = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL: SQLite serialises writers, so replacements cannot race",
)


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_racing_replacements_leave_one_current_version() -> None:
    doctor = make_actor("requester")
    colleague = make_actor("requester", institution=institution_of(doctor))
    patient = make_patient(institution_of(doctor))
    document = document_upload(
        actor=doctor, patient=patient, kind="document", title="病历", file=pdf()
    )
    start = threading.Barrier(2)
    won: list[ClinicalDocument] = []
    lost: list[BaseException] = []

    def replace(actor: Actor) -> None:
        try:
            stale = ClinicalDocument.objects.select_related("patient").get(pk=document.pk)
            start.wait(10)
            won.append(document_replace(actor=actor, document=stale, file=pdf()))
        except BaseException as exc:
            lost.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=replace, args=(a,)) for a in (doctor, colleague)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(won) == 1 and len(lost) == 1 and isinstance(lost[0], Conflict)
    assert ClinicalDocument.objects.filter(status=DocumentStatus.CURRENT).get() == won[0]
    assert ClinicalDocument.objects.count() == 2
    assert len(stored_files()) == 2
