"""The demo province at work: slots to book and consultations in every state, made through
the services (so audited), visible to the people the demo logins stand for."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import RequestFactory

from xietong.accounts.actors import actor_for_membership
from xietong.accounts.models import Membership
from xietong.consultations.demo_stories import ROOMS
from xietong.consultations.models import Consultation, Opinion
from xietong.consultations.selectors import get_consultation_for, today_board
from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.core.home import home_cards_for
from xietong.core.models import AuditEvent
from xietong.demo.logins import DEMO_USERS
from xietong.demo.seed import demo_seed
from xietong.scheduling.models import Purpose, Slot

pytestmark = pytest.mark.django_db

STATES = {
    "draft", "submitted", "returned", "triage", "assigned", "accepted", "scheduled",
    "in_progress", "opinion_signed", "completed", "cancelled",
}  # fmt: skip


def _actor(username: str) -> Actor:
    membership = Membership.objects.filter(user__username=username).select_related("institution")
    return actor_for_membership(membership.order_by("pk")[0])


def _consultations_in_every_state_made_through_the_services() -> None:
    consultations = Consultation.objects.all()
    assert set(consultations.values_list("status", flat=True)) == STATES
    # Made by the services: every one left its trail in the audit log.
    for c in consultations:
        assert AuditEvent.objects.filter(resource_id=str(c.uuid)).exists(), c.number
    for c in consultations.filter(status__in=["opinion_signed", "completed"]):
        assert Opinion.objects.filter(consultation=c, signed_at__isnull=False).exists()


def _the_logins_see_their_own_consultations_and_not_the_others() -> None:
    county = _actor("doctor_county")
    county2 = _actor("doctor_county2")
    coordinator = _actor("coordinator")
    for c in Consultation.objects.exclude(status="draft"):
        get_consultation_for(actor=coordinator, consultation_uuid=c.uuid)
    mine = Consultation.objects.filter(requesting_user_id=county.user_id)
    assert mine.exists()
    for c in mine:
        get_consultation_for(actor=county, consultation_uuid=c.uuid)
        with pytest.raises(NotFound):
            get_consultation_for(actor=county2, consultation_uuid=c.uuid)


def _hospitals_publish_slots_and_the_expert_has_sessions() -> None:
    desk = _actor("referral_desk")
    assert desk.institution_id is not None
    assert Slot.objects.filter(institution_id=desk.institution_id, purpose="outpatient").exists()
    assert Slot.objects.filter(institution_id=desk.institution_id, purpose="examination").exists()
    assert Slot.objects.filter(
        practitioner__user__username="expert", purpose=Purpose.CONSULTATION
    ).exists()


def _referrals_up_and_down_made_through_the_services() -> None:
    from xietong.referrals.models import Referral

    states = set(Referral.objects.values_list("status", flat=True))
    assert {"requested", "accepted", "arrived", "down_requested", "closed"} <= states
    for r in Referral.objects.all():
        assert AuditEvent.objects.filter(resource_id=str(r.uuid)).exists(), r.pk


def _todays_board_reads_like_a_working_day() -> None:
    board = today_board(actor=_actor("coordinator"))
    shown = {(r.time.astimezone(SHANGHAI).strftime("%H:%M") if r.time else "", r.room, r.mode)
             for r in board.rows}  # fmt: skip
    # Real-time consultations at the slots of the expert's sessions, in the centre's rooms;
    # the asynchronous ones accepted at their own times and said to need no room.
    booked = {(time, room) for time, room, mode in shown if mode == "realtime" and room}
    assert {"08:30", "09:00", "15:30", "17:00"} <= {time for time, _room in booked}, shown
    assert {room for _time, room in booked} <= set(ROOMS)
    assert len({room for _time, room in booked}) > 1
    assert all(time for time, _room, _mode in shown)
    assert len({time for time, _room, _mode in shown}) >= len(board.rows) - 1
    assert {r.status for r in board.rows} >= {"scheduled", "in_progress", "completed"}
    times = [r.time for r in board.rows]
    assert times == sorted(times, key=lambda t: t or dt.datetime.max.replace(tzinfo=dt.UTC))


def _the_audit_log_reads_in_time_order() -> None:
    moments = list(AuditEvent.objects.order_by("chain", "seq").values_list("at", flat=True))
    assert moments == sorted(moments)
    first, last = moments[0], moments[-1]
    assert last - first > dt.timedelta(days=6)


SHANGHAI = ZoneInfo("Asia/Shanghai")
DEMO_USERNAMES = [user.username for user in DEMO_USERS]
# A Wednesday afternoon in the centre: sessions this morning done, one running, one to come.
WORKING_AFTERNOON = dt.datetime(2026, 12, 2, 15, 40, tzinfo=SHANGHAI)


def _every_login_finds_work_on_its_home() -> None:
    """Each demo login, in each institution it works for, opens its home to something to
    do: a number that is not nought, or a list of things to open."""
    memberships = Membership.objects.filter(user__username__in=DEMO_USERNAMES)
    for membership in memberships.select_related("institution", "user"):
        request = RequestFactory().get("/")
        request.user = membership.user
        cards = home_cards_for(request, actor_for_membership(membership))
        work = [card.title for card in cards if card.count or card.items]
        assert work, (membership.user.username, membership.institution.name)


def test_the_demo_province_at_work() -> None:
    # One seed (it takes seconds) checked for each promise the demo makes.
    with time_machine.travel(WORKING_AFTERNOON, tick=False):
        demo_seed(scale="small")
        _todays_board_reads_like_a_working_day()
        _the_audit_log_reads_in_time_order()
        _every_login_finds_work_on_its_home()
    _consultations_in_every_state_made_through_the_services()
    _the_logins_see_their_own_consultations_and_not_the_others()
    _hospitals_publish_slots_and_the_expert_has_sessions()
    _referrals_up_and_down_made_through_the_services()
