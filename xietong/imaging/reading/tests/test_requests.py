"""Asking for a study to be read: where it goes, what is refused, and who sees it."""

from __future__ import annotations

import pytest

from xietong.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from xietong.core.models import AuditEvent
from xietong.imaging.reading import services as svc
from xietong.imaging.reading.machine import reading_actions
from xietong.imaging.reading.models import ReadingRequest, Status
from xietong.imaging.reading.selectors import get_reading_for, worklist_for
from xietong.imaging.reading.tests.world import member, world_build
from xietong.imaging.selectors import studies_visible_to
from xietong.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_a_request_goes_to_the_imaging_centre_that_serves_the_hospital() -> None:
    w = world_build()
    r = w.request()
    assert r.centre == w.centre and r.status == Status.REQUESTED
    assert r.number.startswith("YX-") and r.patient == w.patient
    assert r.modalities == w.study.modalities and r.body_part
    # Every reader of the centre is told; the study opens for them through DICOMweb.
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert {w.reader.user_id, w.senior.user_id, w.other_reader.user_id} <= told
    assert studies_visible_to(w.reader).filter(pk=w.study.pk).exists()
    assert not studies_visible_to(w.stranger).filter(pk=w.study.pk).exists()
    assert AuditEvent.objects.filter(action="imaging_reading.create").count() == 1


def test_bad_input_is_refused_in_chinese_and_changes_nothing() -> None:
    w = world_build()
    with pytest.raises(ValidationFailed) as exc:
        svc.reading_create(actor=w.requester, study=w.study, urgency="soon", clinical_question=" ")
    assert set(exc.value.fields) == {"urgency", "clinical_question"}
    assert str(exc.value.fields["clinical_question"][0]) == "请说明需要阅片医生回答的临床问题。"
    assert not ReadingRequest.objects.exists()


def test_one_open_request_per_study() -> None:
    w = world_build()
    first = w.request()
    with pytest.raises(Conflict) as exc:
        w.request()
    assert first.number in str(exc.value.message)
    assert ReadingRequest.objects.count() == 1


def test_no_imaging_link_no_request() -> None:
    w = world_build()
    from xietong.directory.models import CollaborationLink

    CollaborationLink.objects.update(active=False)
    with pytest.raises(ValidationFailed):
        w.request()
    assert not ReadingRequest.objects.exists()


def test_only_the_sending_institutions_requesters_may_ask() -> None:
    w = world_build()
    with pytest.raises(NotPermitted):
        svc.reading_create(actor=w.reader, study=w.study, urgency="routine",
                           clinical_question="?")  # fmt: skip
    colleague_elsewhere = member(w.centre, "requester")
    from xietong.accounts.actors import actor_for_membership

    with pytest.raises(NotFound):
        svc.reading_create(actor=actor_for_membership(colleague_elsewhere), study=w.study,
                           urgency="routine", clinical_question="?")  # fmt: skip


def test_another_institution_meets_404_and_the_refusal_is_recorded() -> None:
    w = world_build()
    r = w.request()
    with pytest.raises(NotFound):
        get_reading_for(actor=w.stranger, reading_uuid=r.uuid)
    assert AuditEvent.objects.filter(action="imaging_reading.read", outcome=4).exists()
    assert worklist_for(actor=w.stranger) == []
    assert reading_actions(actor=w.stranger, reading=r) == []


def test_each_party_is_offered_what_the_table_lets_them_do() -> None:
    w = world_build()
    r = w.request()
    assert reading_actions(actor=w.requester, reading=r) == ["cancel"]
    assert reading_actions(actor=w.reader, reading=r) == ["claim"]
    assert reading_actions(actor=w.senior, reading=r) == ["claim"]
    r = svc.reading_claim(actor=w.reader, reading=r)
    assert reading_actions(actor=w.reader, reading=r) == ["release", "report_save", "preliminary"]
    assert reading_actions(actor=w.other_reader, reading=r) == []
    assert reading_actions(actor=w.requester, reading=r) == []


def test_a_claimed_study_is_not_claimed_again_and_the_second_reader_is_told() -> None:
    w = world_build()
    r = w.request()
    stale = ReadingRequest.objects.get(pk=r.pk)
    svc.reading_claim(actor=w.reader, reading=r)
    with pytest.raises(Conflict) as exc:
        svc.reading_claim(actor=w.other_reader, reading=stale)
    assert exc.value.code == "changed_meanwhile"
    assert ReadingRequest.objects.get(pk=r.pk).reader_id == w.reader.user_id


def test_release_puts_it_back_and_cancel_needs_a_reason() -> None:
    w = world_build()
    r = svc.reading_claim(actor=w.reader, reading=w.request())
    r = svc.reading_release(actor=w.reader, reading=r, reason="需要上级医生")
    assert r.status == Status.REQUESTED and r.reader_id is None
    with pytest.raises(ValidationFailed):
        svc.reading_cancel(actor=w.requester, reading=r, reason="")
    r = svc.reading_cancel(actor=w.requester, reading=r, reason="患者已转院")
    assert r.status == Status.CANCELLED
    assert not studies_visible_to(w.reader).filter(pk=w.study.pk).exists()
