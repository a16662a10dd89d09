"""The report: draft, preliminary, a senior's signature or return, the frozen hash, the
correction as a new version, and the critical finding that waits for the requester."""

from __future__ import annotations

import pytest

from xietong.accounts.tests.factories import PASSWORD
from xietong.core.errors import Conflict, NotFound, ValidationFailed
from xietong.core.models import AuditEvent
from xietong.imaging.reading import reports as rep
from xietong.imaging.reading import services as svc
from xietong.imaging.reading.machine import reading_actions
from xietong.imaging.reading.models import ImagingReport, ReadingRequest, Status
from xietong.imaging.reading.selectors import critical_unacknowledged_count
from xietong.imaging.reading.templates_data import template_for
from xietong.notifications.models import Notification

from .world import World, world_build

pytestmark = pytest.mark.django_db

CONTENT = {"technique": "胸部CT平扫", "findings": "右肺上叶见一3 cm肿块",
           "impression": "右肺上叶占位", "advice": "建议穿刺活检"}  # fmt: skip


def _claimed(w: World) -> ReadingRequest:
    return svc.reading_claim(actor=w.reader, reading=w.request())


def _fresh(r: ReadingRequest) -> ReadingRequest:
    return ReadingRequest.objects.get(pk=r.pk)


def test_templates_are_chosen_by_modality_and_body_part() -> None:
    assert "胸部CT" in template_for(modalities=["CT"], body_part="chest").technique
    assert "MR" in template_for(modalities=["MR"], body_part="KNEE").technique
    assert template_for(modalities=["XA"], body_part="").findings == ""


def test_preliminary_needs_findings_and_impression_and_keeps_the_draft() -> None:
    w = world_build()
    r = _claimed(w)
    rep.report_draft_save(actor=w.reader, reading=r, findings="右肺上叶肿块")
    with pytest.raises(ValidationFailed) as exc:
        rep.report_preliminary(actor=w.reader, reading=_fresh(r))
    assert str(exc.value.fields["impression"][0]) == "提交前必须填写此项。"
    assert _fresh(r).status == Status.READING
    assert ImagingReport.objects.get().findings == "右肺上叶肿块"


def test_the_senior_signs_with_the_password_and_the_report_is_frozen() -> None:
    w = world_build()
    r = _claimed(w)
    rep.report_preliminary(actor=w.reader, reading=r, **CONTENT)
    assert reading_actions(actor=w.senior, reading=_fresh(r)) == ["sign", "return"]
    assert reading_actions(actor=w.other_reader, reading=_fresh(r)) == []
    with pytest.raises(ValidationFailed):
        rep.report_sign(actor=w.senior, reading=_fresh(r), password="wrong")
    assert _fresh(r).status == Status.PRELIMINARY
    report = rep.report_sign(actor=w.senior, reading=_fresh(r), password=PASSWORD)
    assert _fresh(r).status == Status.FINAL and report.content_hash == rep.report_hash(report)
    assert AuditEvent.objects.filter(action="imaging_reading.sign").get().detail["hash"] == (
        report.content_hash
    )
    with pytest.raises(Conflict):  # a signed report is not written again
        rep.report_draft_save(actor=w.reader, reading=_fresh(r), findings="改")
    assert ImagingReport.objects.get().findings == CONTENT["findings"]


def test_a_reader_who_is_senior_does_not_review_their_own_report() -> None:
    w = world_build()
    r = svc.reading_claim(actor=w.senior, reading=w.request())
    rep.report_preliminary(actor=w.senior, reading=r, **CONTENT)
    assert reading_actions(actor=w.senior, reading=_fresh(r)) == []
    with pytest.raises(Conflict) as exc:
        rep.report_sign(actor=w.senior, reading=_fresh(r), password=PASSWORD)
    assert str(exc.value.message) == "该报告由您书写：需由另一位审核医师审核。"


def test_a_returned_report_goes_back_to_its_reader_with_the_reason() -> None:
    w = world_build()
    r = _claimed(w)
    rep.report_preliminary(actor=w.reader, reading=r, **CONTENT)
    with pytest.raises(ValidationFailed):
        rep.report_return(actor=w.senior, reading=_fresh(r), reason=" ")
    rep.report_return(actor=w.senior, reading=_fresh(r), reason="请补充纵隔淋巴结描述")
    assert _fresh(r).status == Status.READING
    assert Notification.objects.filter(recipient_id=w.reader.user_id,
                                       kind="imaging_reading.return").exists()  # fmt: skip
    assert reading_actions(actor=w.reader, reading=_fresh(r)) == [
        "release",
        "report_save",
        "preliminary",
    ]


def test_a_correction_is_a_new_signed_version_and_the_old_stays() -> None:
    w = world_build()
    r = _claimed(w)
    rep.report_preliminary(actor=w.reader, reading=r, **CONTENT)
    first = rep.report_sign(actor=w.senior, reading=_fresh(r), password=PASSWORD)
    with pytest.raises(ValidationFailed):
        rep.report_correct(actor=w.senior, reading=_fresh(r), reason="", password=PASSWORD)
    second = rep.report_correct(actor=w.senior, reading=_fresh(r), reason="建议有误",
                                password=PASSWORD, advice="建议PET-CT")  # fmt: skip
    assert _fresh(r).status == Status.AMENDED
    assert (second.version, second.supersedes_id, second.advice) == (2, first.pk, "建议PET-CT")
    kept = ImagingReport.objects.get(pk=first.pk)
    assert kept.advice == CONTENT["advice"] and kept.content_hash == first.content_hash
    assert second.content_hash == rep.report_hash(second) != first.content_hash


def test_a_critical_finding_tells_the_requester_at_once_and_waits_for_them() -> None:
    w = world_build()
    r = _claimed(w)
    rep.report_preliminary(actor=w.reader, reading=r, **CONTENT, critical=True)
    told = Notification.objects.get(recipient_id=w.requester.user_id,
                                    kind="imaging_reading.preliminary")  # fmt: skip
    assert "危急值" in told.title
    assert critical_unacknowledged_count(w.requester) == 1
    assert reading_actions(actor=w.requester, reading=_fresh(r)) == ["critical_ack"]
    with pytest.raises(NotFound):  # another hospital's doctor does not even see it
        rep.critical_acknowledge(actor=w.stranger, reading=_fresh(r))
    rep.critical_acknowledge(actor=w.requester, reading=_fresh(r))
    after = _fresh(r)
    assert after.critical_acknowledged_by_id == w.requester.user_id
    assert critical_unacknowledged_count(w.requester) == 0
    assert reading_actions(actor=w.requester, reading=after) == []
    assert AuditEvent.objects.filter(action="imaging_reading.critical_ack").count() == 1
    # Signed final as it was: acknowledged already, nothing more is asked of the requester.
    rep.report_sign(actor=w.senior, reading=after, password=PASSWORD)
    assert critical_unacknowledged_count(w.requester) == 0
