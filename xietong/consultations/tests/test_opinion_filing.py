"""The signed opinion's PDF is filed by a background task: once, however often it runs."""

from __future__ import annotations

from typing import Any

import pytest

from xietong.consultations.models import Opinion
from xietong.consultations.tasks import opinion_file_task
from xietong.records.selectors import documents_for_source

from .world import World

pytestmark = pytest.mark.django_db


def test_running_the_filing_again_files_no_second_copy(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        c = world.to("opinion_signed")
    opinion = Opinion.objects.get(consultation=c)
    assert opinion.document_uuid is not None
    again = opinion_file_task.enqueue(
        opinion_id=opinion.pk, membership_id=world.expert_actor.membership_id or 0
    )
    assert again.return_value == str(opinion.document_uuid)
    assert len(list(documents_for_source(actor=world.requester, source=c.source))) == 1


def test_a_signed_opinion_waits_for_the_task_not_the_request(world: World) -> None:
    # Without the commit callbacks running, signing alone files nothing yet.
    c = world.to("opinion_signed")
    assert Opinion.objects.get(consultation=c).document_uuid is None
    assert list(documents_for_source(actor=world.requester, source=c.source)) == []


def test_the_filing_still_files_when_it_runs_after_the_consultation_ended(world: World) -> None:
    # The worker was slow (or down): the requester acknowledged the opinion before it ran,
    # which ends the expert's grant to read-only. The opinion was signed while it wrote.
    from xietong.consultations.services import consultation_acknowledge

    c = world.to("opinion_signed")
    c = consultation_acknowledge(actor=world.requester, consultation=c, rating=5)
    opinion = Opinion.objects.get(consultation=c)
    filed = opinion_file_task.enqueue(
        opinion_id=opinion.pk, membership_id=world.expert_actor.membership_id or 0
    )
    opinion.refresh_from_db()
    assert opinion.document_uuid is not None and filed.return_value == str(opinion.document_uuid)
    assert len(list(documents_for_source(actor=world.requester, source=c.source))) == 1
