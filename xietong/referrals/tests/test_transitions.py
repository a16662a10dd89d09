"""Each transition does what it says, tells who it should, and is refused in the wrong
state or role with a clear reason, changing nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from xietong.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from xietong.notifications.models import Notification, OutboxMessage
from xietong.patients.access import patient_visible_to
from xietong.records.models import ClinicalDocument
from xietong.referrals import services as s
from xietong.referrals.models import FollowUp, Referral, ReferralEvent
from xietong.referrals.workflow import TABLE, Action
from xietong.scheduling.models import Booking, Slot
from xietong.scheduling.services import SlotTaken

from .world import World, member, report_file

pytestmark = pytest.mark.django_db


def _told(user_id: int, kind: str) -> bool:
    return Notification.objects.filter(recipient_id=user_id, kind=kind).exists()


def _booking(r: Referral) -> Booking:
    return Booking.objects.select_related("slot").get(subject_type="referral", subject_id=r.uuid)


def test_accept_confirms_and_texts_the_patient(world: World) -> None:
    r = world.to("accepted")
    assert r.status == "accepted" and r.accepted_at
    assert _told(world.sender.user_id, "referral.accept")
    sms = OutboxMessage.objects.get(address=world.patient.phone)
    assert r.number in sms.body and world.hospital.name in sms.body


def test_decline_needs_a_reason_and_frees_the_place(world: World) -> None:
    r = world.request()
    with pytest.raises(ValidationFailed):
        s.referral_decline(actor=world.desk, referral=r, reason=" ")
    r = s.referral_decline(actor=world.desk, referral=r, reason="专家外出")
    assert r.status == "declined" and r.decline_reason == "专家外出"
    assert _booking(r).status == "cancelled" and _booking(r).slot.booked_count == 0
    assert _told(world.sender.user_id, "referral.decline")


def test_a_proposed_time_accepted_moves_the_place(world: World) -> None:
    r = world.request()
    old_slot = _booking(r).slot
    new_slot = world.slot()
    r = s.referral_propose(actor=world.desk, referral=r, slot=new_slot, note="上午号满")
    assert r.status == "proposed" and r.proposed_start == new_slot.start
    r = s.referral_proposal_accept(actor=world.sender, referral=r)
    assert r.status == "accepted" and r.slot_start == new_slot.start
    assert _booking(r).slot_id == new_slot.pk
    old_slot.refresh_from_db()
    assert old_slot.booked_count == 0


def test_a_proposed_slot_taken_meanwhile_changes_nothing(world: World) -> None:
    r = world.request()
    new_slot = world.slot()
    r = s.referral_propose(actor=world.desk, referral=r, slot=new_slot)
    Slot.objects.filter(pk=new_slot.pk).update(booked_count=1, status="busy")
    with pytest.raises(SlotTaken):
        s.referral_proposal_accept(actor=world.sender, referral=r)
    r.refresh_from_db()
    assert r.status == "proposed"


def test_a_proposal_declined_cancels_the_referral(world: World) -> None:
    r = world.to("proposed")
    r = s.referral_proposal_decline(actor=world.sender, referral=r, reason="时间不便")
    assert r.status == "cancelled" and _booking(r).status == "cancelled"


def test_a_past_slot_cannot_be_proposed(world: World) -> None:
    r = world.request()
    with pytest.raises(ValidationFailed) as exc:
        s.referral_propose(actor=world.desk, referral=r, slot=world.slot(in_hours=-1))
    assert "该时段已过" in str(exc.value.fields["slot"][0])


def test_cancel_frees_the_place_and_tells_the_desk(world: World) -> None:
    r = world.to("cancelled")
    assert r.cancel_reason == "病情好转" and _booking(r).status == "cancelled"
    assert _told(world.desk.user_id, "referral.cancel")


def test_check_in_marks_the_booking_arrived(world: World) -> None:
    r = world.to("arrived")
    assert r.arrived_at and _booking(r).status == "arrived"
    assert _told(world.sender.user_id, "referral.check_in")


def test_no_show_keeps_the_place_and_tells_the_sender(world: World) -> None:
    r = world.to("no_show")
    booking = _booking(r)
    assert booking.status == "noshow" and booking.slot.booked_count == 1
    assert _told(world.sender.user_id, "referral.no_show")


def test_no_show_before_the_appointment_is_refused(world: World) -> None:
    r = world.to("accepted")
    with pytest.raises(Conflict):
        s.referral_mark_no_show(actor=world.desk, referral=r)
    r.refresh_from_db()
    assert r.status == "accepted"


def test_the_examination_report_is_filed_and_shown_to_the_sender(world: World) -> None:
    r = world.to("reported")
    document = ClinicalDocument.objects.get(source=r.source)
    assert document.kind == "exam_report" and document.source == r.source
    assert r.report_summary == "右肺下叶小结节"
    assert _told(world.sender.user_id, "referral.report")
    assert _booking(r).status == "fulfilled"


def test_an_outpatient_referral_has_no_report(world: World) -> None:
    r = world.to("arrived")
    with pytest.raises(Conflict):
        s.referral_report_upload(actor=world.desk, referral=r, file=report_file(), title="x")
    assert not ClinicalDocument.objects.filter(source=r.source).exists()


def test_after_the_report_the_sender_treats_locally_or_refers_on(world: World) -> None:
    exam = world.to("reported")
    on = world.request(previous=exam, kind="outpatient")
    exam.refresh_from_db()
    assert exam.status == "closed" and exam.outcome == "referred_on"
    assert list(exam.follow_ons.all()) == [on]
    other = world.to("reported")
    with pytest.raises(ValidationFailed):
        s.referral_close(actor=world.sender, referral=other, outcome="recovered")
    other = s.referral_close(actor=world.sender, referral=other, outcome="treated_locally")
    assert other.status == "closed"


def test_treatment_summary_then_down_referral_with_a_plan(world: World) -> None:
    r = world.to("down_requested")
    assert r.down_institution == world.county
    assert r.plan.medications[0]["name"] == "阿司匹林肠溶片"
    assert FollowUp.objects.filter(referral=r).count() == 2
    assert _told(world.sender.user_id, "referral.down_refer")


def test_down_referral_to_a_higher_or_equal_level_is_refused(world: World) -> None:
    r = world.to("treated")
    for target in (world.outsider, world.hospital):
        with pytest.raises(ValidationFailed) as exc:
            s.referral_down_refer(
                actor=world.doctor, referral=r, down_institution=target,
                instructions="x", follow_up_dates=[timezone.localdate()],
            )  # fmt: skip
        assert "下转只能转往下级机构" in str(exc.value.fields["down_institution"][0])
    r.refresh_from_db()
    assert r.status == "treated" and r.down_institution is None


def test_down_referral_checks_the_plan(world: World) -> None:
    r = world.to("treated")
    with pytest.raises(ValidationFailed) as exc:
        s.referral_down_refer(
            actor=world.doctor, referral=r, down_institution=world.township, instructions="",
            medications=[{"dose": "1"}],
            follow_up_dates=[timezone.localdate() - dt.timedelta(days=1)],
        )  # fmt: skip
    assert {"instructions", "medications", "follow_up_dates"} <= set(exc.value.fields)


def test_the_down_receiver_sees_the_patient_accepts_and_records_follow_ups(world: World) -> None:
    r = world.to("treated")
    r = s.referral_down_refer(
        actor=world.doctor, referral=r, down_institution=world.township, instructions="康复锻炼",
        follow_up_dates=[timezone.localdate()],
    )  # fmt: skip
    assert patient_visible_to(world.down_doctor, world.patient)
    r = s.referral_down_accept(actor=world.down_doctor, referral=r)
    assert r.status == "follow_up" and r.down_accepted_at
    follow_up = r.follow_ups.get()
    r = s.referral_follow_up_record(
        actor=world.down_doctor, referral=r, follow_up_id=follow_up.pk, visited_on=None,
        note="血压平稳",
    )  # fmt: skip
    follow_up.refresh_from_db()
    assert follow_up.visited_on == timezone.localdate() and follow_up.note == "血压平稳"
    with pytest.raises(Conflict):
        s.referral_follow_up_record(
            actor=world.down_doctor, referral=r, follow_up_id=follow_up.pk, visited_on=None,
            note="again",
        )  # fmt: skip
    r = s.referral_close(actor=world.down_doctor, referral=r, outcome="recovered")
    assert r.status == "closed" and r.closed_at


def test_a_declined_down_referral_returns_to_the_treating_doctor(world: World) -> None:
    r = world.to("down_requested")
    r = s.referral_down_decline(actor=world.sender, referral=r, reason="无康复科")
    assert r.status == "treated" and r.down_institution is None
    assert not FollowUp.objects.filter(referral=r).exists()


def test_closing_without_down_referral_needs_the_reason(world: World) -> None:
    r = world.to("treated")
    with pytest.raises(ValidationFailed):
        s.referral_close(actor=world.doctor, referral=r, outcome="no_down_referral")
    r = s.referral_close(actor=world.doctor, referral=r, outcome="no_down_referral", note="已痊愈")
    assert r.status == "closed" and r.outcome_note == "已痊愈"


def test_every_transition_leaves_a_timeline_line(world: World) -> None:
    r = world.to("closed")
    actions = list(ReferralEvent.objects.filter(referral=r).values_list("action", flat=True))
    assert actions == [
        "create", "accept", "check_in", "treatment_summary", "down_refer", "down_accept", "close",
    ]  # fmt: skip


# ------------------------------------------------------------------ refusals

WRONG_STATE = [
    ("accepted", lambda w, r: s.referral_accept(actor=w.desk, referral=r)),
    ("requested", lambda w, r: s.referral_check_in(actor=w.desk, referral=r)),
    ("declined", lambda w, r: s.referral_cancel(actor=w.sender, referral=r, reason="x")),
    ("arrived", lambda w, r: s.referral_cancel(actor=w.sender, referral=r, reason="x")),
    ("requested", lambda w, r: s.referral_proposal_accept(actor=w.sender, referral=r)),
    ("closed", lambda w, r: s.referral_close(actor=w.sender, referral=r, outcome="other")),
    ("accepted", lambda w, r: s.referral_down_accept(actor=w.sender, referral=r)),
]


@pytest.mark.parametrize(("state", "act"), WRONG_STATE)
def test_wrong_state_is_a_conflict_and_changes_nothing(
    world: World, state: str, act: Callable[[World, Referral], Referral]
) -> None:
    r = world.to(state)
    with pytest.raises(Conflict) as exc:
        act(world, r)
    assert exc.value.code == "wrong_state"
    r.refresh_from_db()
    assert r.status == state


# The house rule (core/errors.py): a role that never takes the action is refused outright
# (403); a role that does, acting as the wrong party to this referral, is a conflict (409).
WRONG_ROLE = [
    ("requested", 403, lambda w, r: s.referral_accept(actor=w.sender, referral=r)),
    ("requested", 403, lambda w, r: s.referral_decline(actor=w.doctor, referral=r, reason="x")),
    ("requested", 403, lambda w, r: s.referral_cancel(actor=w.desk, referral=r, reason="x")),
    ("proposed", 403, lambda w, r: s.referral_proposal_accept(actor=w.desk, referral=r)),
    ("accepted", 403, lambda w, r: s.referral_check_in(actor=w.sender, referral=r)),
    (
        "arrived",
        403,
        lambda w, r: s.referral_treatment_summary(
            actor=w.desk, referral=r, summary="x", discharge_diagnosis="x"
        ),
    ),
    ("down_requested", 409, lambda w, r: s.referral_down_accept(actor=w.doctor, referral=r)),
]


@pytest.mark.parametrize(("state", "status", "act"), WRONG_ROLE)
def test_a_role_that_never_acts_is_403_the_wrong_party_409(
    world: World, state: str, status: int, act: Callable[[World, Referral], Referral]
) -> None:
    r = world.to(state)
    with pytest.raises((Conflict, NotPermitted)) as exc:
        act(world, r)
    code = "role_may_not" if status == 403 else "wrong_party"
    assert (exc.value.status, exc.value.code) == (status, code)
    r.refresh_from_db()
    assert r.status == state


def test_an_outsider_acting_meets_not_found(world: World) -> None:
    r = world.request()
    with pytest.raises(NotFound):
        s.referral_accept(actor=member(world.outsider, "referral_desk"), referral=r)


def test_green_channel_is_acknowledged_not_accepted(world: World) -> None:
    r = world.request(urgency="emergency")
    with pytest.raises(Conflict):
        s.referral_accept(actor=world.desk, referral=r)
    r = s.referral_acknowledge(actor=world.desk, referral=r)
    assert r.status == "accepted" and r.acknowledged_at
    r = s.referral_check_in(actor=world.desk, referral=r)
    assert r.status == "arrived"


def test_the_table_names_every_action() -> None:
    assert {action for (_state, action) in TABLE} == set(Action)
