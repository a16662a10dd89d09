from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from xietong.accounts.tests.factories import make_user
from xietong.scheduling.models import Schedule, ScheduleException, ScheduleRule, Slot

from .factories import a_hospital, make_schedule, make_slot

pytestmark = pytest.mark.django_db


def _client(role: str = "referral_desk", institution=None, language: str = "zh-hans") -> Client:
    user = make_user(role, institution=institution or a_hospital())
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_desk_sees_schedules_in_the_menu_and_creates_one() -> None:
    hospital = a_hospital()
    client = _client(institution=hospital)
    page = client.get("/scheduling/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "号源排班" in html and "新建排班" in html
    created = client.post(
        "/scheduling/",
        {"name": "超声检查", "purpose": "examination", "examination_type": "ultrasound"},
    )
    schedule = Schedule.objects.get(institution=hospital)
    assert created.status_code == 302 and created["Location"] == f"/scheduling/{schedule.uuid}/"


def test_a_doctor_has_no_schedules_page() -> None:
    client = _client("requester")
    assert client.get("/scheduling/").status_code == 403
    assert "号源排班" not in client.get("/").content.decode()


def test_rules_exceptions_and_generation_from_the_schedule_page() -> None:
    schedule = make_schedule()
    client = _client(institution=schedule.institution)
    base = f"/scheduling/{schedule.uuid}/"
    rules = {
        "rules-TOTAL_FORMS": "2",
        "rules-INITIAL_FORMS": "0",
        "rules-0-weekday": "0",
        "rules-0-start_time": "08:00",
        "rules-0-end_time": "10:00",
        "rules-0-slot_minutes": "60",
        "rules-0-capacity": "3",
        "rules-0-referral_reserved": "1",
        "rules-1-weekday": "2",
        "rules-1-start_time": "08:00",
        "rules-1-end_time": "09:00",
        "rules-1-slot_minutes": "30",
        "rules-1-capacity": "2",
        "rules-1-referral_reserved": "0",
    }
    assert client.post(base + "rules/", rules).status_code == 302
    assert ScheduleRule.objects.filter(schedule=schedule).count() == 2
    day = timezone.localdate() + dt.timedelta(days=2)
    closed = client.post(
        base + "exceptions/", {"date": day.isoformat(), "kind": "closed", "reason": "春节"}
    )
    assert closed.status_code == 302 and ScheduleException.objects.count() == 1
    today = timezone.localdate()
    generated = client.post(
        base + "generate/",
        {"start_date": today.isoformat(), "end_date": (today + dt.timedelta(days=13)).isoformat()},
        follow=True,
    )
    assert Slot.objects.filter(schedule=schedule).exists()
    html = generated.content.decode()
    assert "号源已生成" in html and "0/3" in html and "春节" in html


def test_bad_rules_show_the_error_and_change_nothing() -> None:
    schedule = make_schedule()
    client = _client(institution=schedule.institution)
    bad = client.post(
        f"/scheduling/{schedule.uuid}/rules/",
        {
            "rules-TOTAL_FORMS": "1",
            "rules-INITIAL_FORMS": "0",
            "rules-0-weekday": "0",
            "rules-0-start_time": "10:00",
            "rules-0-end_time": "09:00",
            "rules-0-slot_minutes": "30",
            "rules-0-capacity": "2",
            "rules-0-referral_reserved": "3",
        },
    )
    assert bad.status_code == 422
    html = bad.content.decode()
    assert "结束时间必须晚于开始时间。" in html
    assert not ScheduleRule.objects.exists()


def test_another_institutions_schedule_is_404() -> None:
    schedule = make_schedule()
    assert _client().get(f"/scheduling/{schedule.uuid}/").status_code == 404


def test_utilisation_per_department_and_week() -> None:
    schedule = make_schedule()
    make_slot(schedule, capacity=4, booked=3, in_hours=1)
    client = _client(institution=schedule.institution, language="en")
    html = client.get("/scheduling/utilisation/").content.decode()
    assert schedule.department.name_en in html  # type: ignore[union-attr]
    assert "75%" in html
