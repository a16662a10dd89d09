from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django.test import Client
from django.utils import timezone

from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import MembershipFactory
from xietong.accounts.tokens import api_token_issue
from xietong.directory.models import Institution
from xietong.patients.tests.factories import make_patient
from xietong.scheduling.models import Booking, Schedule, Slot, SlotStatus

from .factories import a_hospital, make_schedule, make_slot

pytestmark = pytest.mark.django_db
URL = "/api/v1/scheduling"


class Api:
    def __init__(
        self, role: str, institution: Institution | None = None, language: str = "en"
    ) -> None:
        kwargs: dict[str, Any] = {"roles": [role]}
        if institution is not None:
            kwargs["institution"] = institution
        membership = cast(Membership, MembershipFactory(**kwargs))
        self.institution = membership.institution
        _, key = api_token_issue(membership=membership)
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE=language)

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(URL + path, params)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(URL + path, body, content_type="application/json")

    def put(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.put(URL + path, body, content_type="application/json")


def patient_subject(api: Api) -> dict[str, str]:
    """A bare booking's subject: a patient of the caller's institution."""
    return {"subject_type": "patient", "subject_id": str(make_patient(api.institution).uuid)}


def test_the_desk_publishes_a_schedule_and_generates_slots() -> None:
    desk = Api("referral_desk", a_hospital())
    created = desk.post(
        "/schedules",
        {
            "name": "CT 检查",
            "purpose": "examination",
            "examination_type": "ct",
            "department_code": "32",
        },
    )
    assert created.status_code == 201, created.content
    sid = created.json()["uuid"]
    rules = desk.put(
        f"/schedules/{sid}/rules",
        {
            "rules": [
                {
                    "weekday": d,
                    "start_time": "08:00",
                    "end_time": "09:00",
                    "slot_minutes": 20,
                    "capacity": 2,
                    "referral_reserved": 1,
                }
                for d in range(7)
            ]
        },
    )
    assert rules.status_code == 200 and len(rules.json()) == 7
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    closed = desk.post(
        f"/schedules/{sid}/exceptions",
        {"date": tomorrow.isoformat(), "kind": "closed", "reason": "元旦"},
    )
    assert closed.status_code == 201 and closed.json()["kind"] == "closed"
    generated = desk.post(
        f"/schedules/{sid}/slots",
        {
            "start_date": tomorrow.isoformat(),
            "end_date": (tomorrow + dt.timedelta(days=6)).isoformat(),
        },
    )
    assert generated.json() == {"created": 18, "updated": 0, "removed": 0, "kept_booked": 0}
    assert [s["uuid"] for s in desk.get("/schedules").json()] == [sid]


def test_schedules_of_another_institution_are_404() -> None:
    schedule = make_schedule()
    other = Api("referral_desk", a_hospital())
    assert other.get(f"/schedules/{schedule.uuid}").status_code == 404
    put = other.put(f"/schedules/{schedule.uuid}/rules", {"rules": []})
    assert put.status_code == 404 and put.json()["code"] == "not_found"


def test_an_unknown_department_is_422_and_creates_nothing() -> None:
    desk = Api("referral_desk", a_hospital())
    bad = desk.post(
        "/schedules", {"name": "门诊", "purpose": "outpatient", "department_code": "X9"}
    )
    assert bad.status_code == 422
    assert bad.json()["fields"] == {"department_code": ["No department has this code."]}
    assert not Schedule.objects.exists()


def test_a_doctor_cannot_create_schedules() -> None:
    refused = Api("requester").post("/schedules", {"name": "x", "purpose": "outpatient"})
    assert refused.status_code == 403 and not Schedule.objects.exists()


def test_bad_rules_are_422_in_chinese() -> None:
    schedule = make_schedule()
    desk = Api("referral_desk", schedule.institution, language="zh-hans")
    bad = desk.put(
        f"/schedules/{schedule.uuid}/rules",
        {
            "rules": [
                {
                    "weekday": 1,
                    "start_time": "10:00",
                    "end_time": "09:00",
                    "slot_minutes": 30,
                    "capacity": 1,
                }
            ]
        },
    )
    assert bad.status_code == 422
    assert bad.json()["fields"]["rules.0.end_time"] == ["结束时间必须晚于开始时间。"]


def test_free_slot_search_by_department_and_time() -> None:
    schedule = make_schedule()
    first = make_slot(schedule, in_hours=30)
    make_slot(schedule, in_hours=20, booked=1, status=SlotStatus.BUSY)
    make_slot(schedule, in_hours=24 * 20)  # beyond two weeks
    make_slot(in_hours=10)  # another department
    found = Api("requester").get("/slots", department_code=schedule.department.code)  # type: ignore[union-attr]
    assert [s["uuid"] for s in found.json()] == [str(first.uuid)]


def test_booking_then_slot_taken_with_alternatives_then_cancel_and_reschedule() -> None:
    schedule = make_schedule()
    slot = make_slot(schedule, capacity=1)
    later = make_slot(schedule, in_hours=80)
    doctor = Api("requester")
    booked = doctor.post("/bookings", {"slot_uuid": str(slot.uuid), **patient_subject(doctor)})
    assert booked.status_code == 201 and booked.json()["number"].startswith("YY-")
    other = Api("requester", language="zh-hans")
    taken = other.post("/bookings", {"slot_uuid": str(slot.uuid), **patient_subject(other)})
    assert taken.status_code == 409
    body = taken.json()
    assert body["code"] == "slot_taken" and "已被预约" in body["message"]
    assert [s["uuid"] for s in body["alternatives"]] == [str(later.uuid)]
    bid = booked.json()["uuid"]
    moved = doctor.post(f"/bookings/{bid}/reschedule", {"slot_uuid": str(later.uuid)})
    assert moved.status_code == 200 and moved.json()["slot"]["uuid"] == str(later.uuid)
    cancelled = doctor.post(f"/bookings/{bid}/cancel", {"reason": "患者改期"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert Slot.objects.get(pk=later.pk).booked_count == 0
    assert Slot.objects.get(pk=slot.pk).booked_count == 0


def test_bookings_of_others_are_404() -> None:
    doctor = Api("requester")
    booked = doctor.post(
        "/bookings", {"slot_uuid": str(make_slot().uuid), **patient_subject(doctor)}
    )
    stranger = Api("requester")
    bid = booked.json()["uuid"]
    assert stranger.post(f"/bookings/{bid}/cancel", {"reason": "x"}).status_code == 404
    assert Booking.objects.get(uuid=bid).status == "booked"
