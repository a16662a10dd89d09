"""A patient at the desk before the booked day: the desk is told when the patient is booked
for, in Chinese, before anything is recorded (an arrival cannot be taken back), and may
check them in all the same; the timeline says they came early. On the booked day the
check-in is one click, as before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from xietong.accounts.models import User
from xietong.core.actor import Actor
from xietong.referrals import services as s
from xietong.referrals.models import Referral, ReferralEvent
from xietong.scheduling.models import Booking

from .world import World

pytestmark = pytest.mark.django_db


def _client(actor: Actor) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(pk=actor.user_id))
    return client


def _booked_in_days(world: World, days: int) -> Referral:
    """An accepted referral whose appointment is `days` days from today, at 10:00 Beijing."""
    r = world.to("accepted")
    day = timezone.localdate() + dt.timedelta(days=days)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    Referral.objects.filter(pk=r.pk).update(slot_start=start)
    r.refresh_from_db()
    return r


def test_the_desk_is_warned_before_the_booked_day_and_nothing_is_recorded(
    world: World,
) -> None:
    r = _booked_in_days(world, 2)
    desk = _client(world.desk)
    page = desk.post("/referrals/arrivals/", {"payload": r.number})
    html = page.content.decode()
    assert page.status_code == 200
    when = timezone.localtime(r.slot_start).strftime("%Y-%m-%d")
    assert f"{r.patient.name}（{r.number}）预约时间为 {when}" in html and "不是今天" in html
    assert "提前签到" in html and f'name="payload" value="{r.number}"' in html
    r.refresh_from_db()
    assert r.status == "accepted"
    assert Booking.objects.get(subject_id=r.uuid).status == "booked"


def test_the_desk_may_check_in_before_the_booked_day_all_the_same(world: World) -> None:
    r = _booked_in_days(world, 2)
    desk = _client(world.desk)
    answer = desk.post("/referrals/arrivals/", {"payload": r.number, "early": "1"}, follow=True)
    assert "已签到（早于预约日期）" in answer.content.decode()
    r.refresh_from_db()
    assert r.status == "arrived"
    event = ReferralEvent.objects.get(referral=r, action="check_in")
    assert event.note.startswith("早于预约日期到院")


def test_on_the_booked_day_the_check_in_is_one_click(world: World) -> None:
    r = _booked_in_days(world, 0)
    answer = _client(world.desk).post("/referrals/arrivals/", {"payload": r.number}, follow=True)
    html = answer.content.decode()
    assert "不是今天" not in html and "已签到" in html
    r.refresh_from_db()
    assert r.status == "arrived"
    assert ReferralEvent.objects.get(referral=r, action="check_in").note == ""


def test_the_referral_page_warns_and_confirms_before_the_booked_day(world: World) -> None:
    r = _booked_in_days(world, 3)
    desk = _client(world.desk)
    page = desk.get(f"/referrals/{r.uuid}/").content.decode()
    actions = page.split('id="actions"')[1]
    assert "不是今天" in actions and 'name="early" value="1"' in actions
    # A check-in sent without the confirmation is not recorded; the page asks again.
    answer = desk.post(f"/referrals/{r.uuid}/act/check_in/", follow=True)
    assert "请确认签到" in answer.content.decode()
    r.refresh_from_db()
    assert r.status == "accepted"
    desk.post(f"/referrals/{r.uuid}/act/check_in/", {"early": "1"})
    r.refresh_from_db()
    assert r.status == "arrived"


def test_the_service_records_an_early_arrival_as_it_happened(world: World) -> None:
    """Programs that record arrivals (the API) are not asked: the patient is there."""
    r = _booked_in_days(world, 1)
    assert s.booked_day_ahead(r) == timezone.localdate() + dt.timedelta(days=1)
    r = s.referral_check_in(actor=world.desk, referral=r)
    assert r.status == "arrived"
    assert "早于预约日期到院" in ReferralEvent.objects.get(referral=r, action="check_in").note


def test_a_green_channel_referral_has_no_booked_day(world: World) -> None:
    r = world.request(urgency="emergency")
    assert s.booked_day_ahead(r) is None
