"""The referral screens on the front-end kit: the navigation's numbers (what waits for this
desk, for this doctor), each status in its colour, and the steps of a referral as done,
current, stopped or to come."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from xietong.accounts.models import User
from xietong.core.actor import Actor
from xietong.core.ui import status_tone
from xietong.referrals.models import Referral, Status
from xietong.referrals.selectors import incoming_waiting_count, referrer_waiting_count

from .world import World, member

pytestmark = pytest.mark.django_db


def _client(actor: Actor) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(pk=actor.user_id))
    return client


def _nav_count(html: str, href: str) -> str | None:
    """The number beside a navigation entry (None: no number shown)."""
    entry = re.search(rf'<a class="nav-link[^"]*" href="{re.escape(href)}".*?</a>', html, re.S)
    assert entry is not None, href
    count = re.search(r'xt-nav-count">(\d+)<', entry.group(0))
    return count.group(1) if count else None


def test_the_desk_counts_the_referrals_waiting_for_its_answer(
    world: World, django_assert_num_queries
) -> None:
    world.request()
    world.request(urgency="emergency")
    world.to("accepted")  # answered: no longer waiting
    world.to("proposed")  # answered with another time: the sender's turn
    with django_assert_num_queries(1):
        assert incoming_waiting_count(actor=world.desk) == 2
    # Another institution's desk has nothing waiting.
    assert incoming_waiting_count(actor=member(world.outsider, "referral_desk")) == 0
    home = _client(world.desk).get("/").content.decode()
    assert _nav_count(home, "/referrals/incoming/") == "2"


def test_the_referrer_counts_what_waits_for_them(world: World, django_assert_num_queries) -> None:
    world.to("proposed")  # another time to answer
    world.to("reported")  # an examination report to act on
    world.to("down_requested")  # referred back down to the county: to accept
    world.to("requested")  # the desk's turn, not theirs
    colleague = member(world.county, "requester")
    with django_assert_num_queries(1):
        assert referrer_waiting_count(actor=world.sender) == 3
    # A colleague answers no proposal of the sender's, but may accept the patient back.
    assert referrer_waiting_count(actor=colleague) == 1
    html = _client(world.sender).get("/").content.decode()
    assert _nav_count(html, "/referrals/") == "3"


def test_no_number_when_nothing_waits(world: World) -> None:
    home = _client(world.desk).get("/").content.decode()
    assert _nav_count(home, "/referrals/incoming/") is None
    assert "bi-box-arrow-in-down-right" in home


def test_each_referral_status_has_its_tone() -> None:
    tones = {status: status_tone(status) for status in Status.values}
    assert tones["requested"] == "new"
    assert tones["proposed"] == tones["down_requested"] == "wait"
    assert tones["declined"] == tones["no_show"] == "bad"
    assert tones["closed"] == "done" and tones["cancelled"] == "stop"


def test_the_list_shows_each_status_in_its_colour(world: World) -> None:
    r = world.request()
    rows = _client(world.desk).get("/referrals/incoming/").content.decode()
    assert (
        f'<span class="badge xt-status xt-status-new" data-status="requested">'
        f"{r.get_status_display()}</span>"
    ) in rows
    # The desk's own institution is not repeated on every incoming row, nor the sender's
    # on every outgoing one.
    # (Both are sortable headers: the column's name is the link's text.)
    assert ">转出机构</a></th>" in rows and "转入机构" not in rows
    mine = _client(world.sender).get("/referrals/").content.decode()
    assert ">转入机构</a></th>" in mine and "转出机构" not in mine


def _steps(html: str) -> list[tuple[str, str]]:
    """(state, label) of each step on the referral's page."""
    return re.findall(
        r'<li class="xt-step xt-step-(\w+)".*?<span class="xt-step-label">([^<]+)</span>',
        html,
        re.S,
    )


def test_the_stepper_shows_done_current_and_to_come(world: World) -> None:
    r = world.to("arrived")
    html = _client(world.sender).get(f"/referrals/{r.uuid}/").content.decode()
    assert _steps(html) == [
        ("done", "已转出"),
        ("done", "已接收"),
        ("current", "已到院"),
        ("todo", "报告 / 诊疗"),
        ("todo", "下转"),
        ("todo", "随访"),
        ("todo", "闭环"),
    ]
    assert html.count('aria-current="step"') == 1


def test_a_declined_referral_stops_at_the_answer(world: World) -> None:
    r = world.to("declined")
    html = _client(world.sender).get(f"/referrals/{r.uuid}/").content.decode()
    states = _steps(html)
    assert states[:2] == [("done", "已转出"), ("stopped", "已接收")]
    assert {state for state, _label in states[2:]} == {"todo"}
    assert "已拒绝" in html  # the status, said at the step where it stopped


def test_an_examination_ends_with_its_report(world: World) -> None:
    r = world.to("reported")
    html = _client(world.sender).get(f"/referrals/{r.uuid}/").content.decode()
    assert [label for _state, label in _steps(html)] == [
        "已转出", "已接收", "已到院", "报告 / 诊疗", "闭环",
    ]  # fmt: skip


def test_a_referral_closed_without_going_back_down_skips_those_steps(world: World) -> None:
    from xietong.referrals import services as s

    r = world.to("treated")
    r = s.referral_close(
        actor=world.doctor, referral=r, outcome="no_down_referral", note="门诊随访即可"
    )
    assert Referral.objects.get(pk=r.pk).status == "closed"
    html = _client(world.sender).get(f"/referrals/{r.uuid}/").content.decode()
    assert _steps(html)[-3:] == [("skipped", "下转"), ("skipped", "随访"), ("done", "闭环")]


def test_closing_offers_the_outcomes_that_close_from_where_the_referral_is(
    world: World,
) -> None:
    r = world.to("reported")
    html = _client(world.sender).get(f"/referrals/{r.uuid}/").content.decode()
    offered = re.findall(
        r'<option value="(\w+)"', html.split('name="outcome"')[1].split("</select>")[0]
    )
    assert offered == ["treated_locally", "other"]
