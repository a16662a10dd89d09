from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from django.utils import timezone, translation

from xietong.accounts.tests.factories import make_actor
from xietong.core.errors import NotFound, NotPermitted, ValidationFailed
from xietong.core.models import AuditEvent
from xietong.directory.models import Department, Practitioner
from xietong.directory.tests.factories import DepartmentFactory, PractitionerFactory
from xietong.scheduling.models import Schedule, ScheduleException, ScheduleRule
from xietong.scheduling.services import (
    schedule_create,
    schedule_exception_add,
    schedule_rules_set,
)

from .factories import a_hospital, desk_of, make_schedule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_english")]


@pytest.fixture
def _english():
    with translation.override("en"):
        yield


MORNING = {
    "weekday": 0,
    "start_time": "08:00",
    "end_time": "12:00",
    "slot_minutes": 30,
    "capacity": 4,
    "referral_reserved": 1,
}


def test_the_desk_creates_a_schedule_of_its_institution() -> None:
    hospital = a_hospital()
    desk = desk_of(hospital)
    expert = PractitionerFactory(institution=hospital)
    schedule = schedule_create(
        actor=desk,
        name="张主任专家门诊",
        purpose="consultation",
        department=cast(Department, DepartmentFactory()),
        practitioner=cast(Practitioner, expert),
    )
    assert schedule.institution == hospital and schedule.active
    assert (
        AuditEvent.objects.filter(resource_type="Schedule", action="schedule.create").count() == 1
    )


def test_an_examination_schedule_needs_its_type_and_errors_are_listed_together() -> None:
    desk = desk_of(a_hospital())
    with pytest.raises(ValidationFailed) as bad:
        schedule_create(
            actor=desk,
            name="",
            purpose="examination",
            practitioner=cast(Practitioner, PractitionerFactory()),
        )
    assert set(bad.value.fields) == {"name", "examination_type", "practitioner"}
    assert bad.value.fields["examination_type"] == [
        "An examination schedule needs its examination type."
    ]
    assert not Schedule.objects.exists()


@pytest.mark.parametrize("role", ["requester", "expert", "coordinator", "platform_admin"])
def test_only_the_desk_and_administrators_manage_schedules(role: str) -> None:
    with pytest.raises(NotPermitted):
        schedule_create(
            actor=make_actor(role), name="CT", purpose="examination", examination_type="ct"
        )


def test_another_institutions_desk_does_not_find_the_schedule() -> None:
    """Not visible, so 404 (core/errors.py): a desk cannot learn another's schedules."""
    schedule = make_schedule()
    with pytest.raises(NotFound):
        schedule_rules_set(actor=desk_of(a_hospital()), schedule=schedule, rules=[MORNING])
    assert not ScheduleRule.objects.exists()


def test_rules_replace_the_weekly_template() -> None:
    schedule = make_schedule()
    desk = desk_of(schedule.institution, "institution_admin")
    schedule_rules_set(actor=desk, schedule=schedule, rules=[MORNING, {**MORNING, "weekday": 2}])
    rules = schedule_rules_set(actor=desk, schedule=schedule, rules=[{**MORNING, "weekday": 4}])
    assert [(r.weekday, r.capacity, r.referral_reserved) for r in rules] == [(4, 4, 1)]


def test_bad_rules_are_reported_per_row_and_change_nothing() -> None:
    schedule = make_schedule()
    desk = desk_of(schedule.institution)
    schedule_rules_set(actor=desk, schedule=schedule, rules=[MORNING])
    bad = [
        {**MORNING, "end_time": "07:00"},
        {**MORNING, "weekday": 9, "capacity": 2, "referral_reserved": 3},
        {**MORNING, "start_time": "11:00", "end_time": "13:00"},  # overlaps the first
    ]
    with pytest.raises(ValidationFailed) as refused:
        schedule_rules_set(actor=desk, schedule=schedule, rules=[MORNING, *bad])
    fields = refused.value.fields
    assert fields["rules.1.end_time"] == ["The end must be after the start."]
    assert "rules.2.weekday" in fields and "rules.2.referral_reserved" in fields
    assert fields["rules.3.start_time"] == ["This session overlaps session 1 of the same day."]
    assert ScheduleRule.objects.filter(schedule=schedule).count() == 1


def test_exceptions_close_a_day_or_add_a_session() -> None:
    schedule = make_schedule()
    desk = desk_of(schedule.institution)
    day = timezone.localdate() + dt.timedelta(days=3)
    closed = schedule_exception_add(
        actor=desk, schedule=schedule, date=day, kind="closed", reason="国庆节"
    )
    extra = schedule_exception_add(
        actor=desk,
        schedule=schedule,
        date=day.isoformat(),
        kind="extra",
        start_time="14:00",
        end_time="16:00",
        slot_minutes=60,
        capacity=2,
    )
    assert (closed.kind, closed.reason, extra.capacity) == ("closed", "国庆节", 2)


def test_an_exception_in_the_past_or_without_hours_is_refused() -> None:
    schedule = make_schedule()
    desk = desk_of(schedule.institution)
    with pytest.raises(ValidationFailed) as bad:
        schedule_exception_add(actor=desk, schedule=schedule, date="2001-01-01", kind="hours")
    assert bad.value.fields["date"] == ["The date is in the past."]
    assert {"start_time", "end_time", "slot_minutes", "capacity"} <= set(bad.value.fields)
    assert not ScheduleException.objects.exists()
