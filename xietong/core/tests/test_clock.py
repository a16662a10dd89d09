"""The clock queues each periodic job when it falls due, and only then."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from xietong.core import clock
from xietong.core.clock import clock_tick, periodic_register

T0 = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setattr(clock, "_jobs", {})
    ran: list[str] = []
    periodic_register("minute", every=dt.timedelta(minutes=1), enqueue=lambda: ran.append("m"))
    periodic_register("hour", every=dt.timedelta(hours=1), enqueue=lambda: ran.append("h"))
    return ran


def test_everything_runs_at_start_then_each_job_on_its_own_interval(jobs: list[str]) -> None:
    last: dict[str, dt.datetime] = {}
    assert clock_tick(now=T0, last=last) == ["hour", "minute"]
    assert clock_tick(now=T0 + dt.timedelta(seconds=30), last=last) == []
    assert clock_tick(now=T0 + dt.timedelta(minutes=1), last=last) == ["minute"]
    assert clock_tick(now=T0 + dt.timedelta(hours=1), last=last) == ["hour", "minute"]
    assert jobs == ["h", "m", "m", "h", "m"]


def test_a_job_that_fails_to_queue_is_tried_on_the_next_tick(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(clock, "_jobs", {})
    attempts: list[int] = []

    def flaky() -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionError("the database is restarting")

    periodic_register("flaky", every=dt.timedelta(hours=1), enqueue=flaky)
    last: dict[str, dt.datetime] = {}
    with pytest.raises(ConnectionError):
        clock_tick(now=T0, last=last)
    assert clock_tick(now=T0 + dt.timedelta(seconds=5), last=last) == ["flaky"]


def test_an_interval_must_be_positive() -> None:
    with pytest.raises(ValueError):
        periodic_register("never", every=dt.timedelta(0), enqueue=lambda: None)


@pytest.mark.django_db
def test_the_platform_registers_its_deadline_checks_and_the_command_queues_them() -> None:
    names = {job.name for job in clock.periodic_jobs()}
    assert {"consultation deadlines", "referral green channel"} <= names
    out = StringIO()
    call_command("clock", "--once", stdout=out)
    assert "queued consultation deadlines" in out.getvalue()
    assert "queued referral green channel" in out.getvalue()
