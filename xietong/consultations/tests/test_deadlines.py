"""The coordinator hears once when a deadline nears and once when it passes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xietong.consultations.deadlines import deadlines_check
from xietong.consultations.models import ConsultationEvent, DeadlineAlert
from xietong.consultations.tasks import consultation_deadlines_task

from .world import World

pytestmark = pytest.mark.django_db


def test_near_then_passed_each_once(world: World) -> None:
    c = world.to("triage", urgency="emergency")  # accept within 30 min, answer within 2 h
    now = timezone.now()
    assert deadlines_check(now=now) == 0
    assert deadlines_check(now=now + dt.timedelta(minutes=25)) == 1  # accept nears
    assert deadlines_check(now=now + dt.timedelta(minutes=26)) == 0  # told already
    assert deadlines_check(now=now + dt.timedelta(minutes=31)) == 1  # accept passed
    assert deadlines_check(now=now + dt.timedelta(minutes=100)) == 1  # answer nears
    assert deadlines_check(now=now + dt.timedelta(hours=3)) == 1  # answer passed
    assert deadlines_check(now=now + dt.timedelta(hours=4)) == 0
    thresholds = set(
        DeadlineAlert.objects.filter(consultation=c).values_list("threshold", flat=True)
    )
    assert thresholds == {"accept_near", "accept_passed", "answer_near", "answer_passed"}
    event = ConsultationEvent.objects.filter(consultation=c, action="deadline_accept_passed").get()
    assert event.notified == [world.coordinator.user_id]


def test_accepted_consultations_stop_the_accept_clock(world: World) -> None:
    world.to("accepted", urgency="emergency")
    assert deadlines_check(now=timezone.now() + dt.timedelta(minutes=31)) == 0


def test_the_task_and_the_command_run_it(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    world.to("triage", urgency="emergency")
    later = timezone.now() + dt.timedelta(minutes=31)
    monkeypatch.setattr(timezone, "now", lambda: later)
    result = consultation_deadlines_task.enqueue()
    assert result.return_value == 1
    call_command("consultation_deadlines")
    assert DeadlineAlert.objects.count() == 1


def test_the_check_reads_only_consultations_whose_deadline_may_be_due(world: World) -> None:
    far = world.to("triage")  # routine: a day to accept, three to answer
    told = world.to("triage", urgency="emergency")
    now = timezone.now()
    deadlines_check(now=now + dt.timedelta(hours=3))  # the emergency's deadlines passed
    with CaptureQueriesContext(connection) as queries:
        assert deadlines_check(now=now + dt.timedelta(hours=4)) == 0
    read = [q["sql"] for q in queries.captured_queries if "consultations_consultation" in q["sql"]]
    assert len(read) == 1  # one query, which finds neither of them:
    where = read[0].split("WHERE", 1)[1]
    assert "accept_by" in where and "answer_by" in where  # the deadlines filter in SQL
    assert DeadlineAlert.objects.filter(consultation=far).count() == 0
    assert DeadlineAlert.objects.filter(consultation=told).count() == 2
