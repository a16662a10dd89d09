"""The free slots as a week calendar, in the referral form and in the desk's proposal: days
on the reader's clock (Asia/Shanghai), never UTC; filtered by department and examination;
each slot a button-like radio named "slot"; usable without JavaScript."""

from __future__ import annotations

import datetime as dt
import re
from typing import cast

import pytest
from django.test import Client
from django.utils import timezone

from xietong.accounts.models import User
from xietong.core.actor import Actor
from xietong.directory.models import Department
from xietong.directory.tests.factories import DepartmentFactory
from xietong.referrals.models import Referral
from xietong.scheduling.models import Slot
from xietong.scheduling.tests.factories import make_schedule, make_slot

from .world import REQUEST, World

pytestmark = pytest.mark.django_db

PICKER = "/referrals/new/slots/"


def _client(actor: Actor) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(pk=actor.user_id))
    return client


def _at(slot: Slot, moment: dt.datetime) -> Slot:
    Slot.objects.filter(pk=slot.pk).update(start=moment, end=moment + dt.timedelta(minutes=30))
    slot.refresh_from_db()
    return slot


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A moment on the Beijing clock."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _days(html: str) -> dict[str, list[str]]:
    """The calendar as shown: each day (YYYY-MM-DD) with the slots offered on it (UUIDs)."""
    found: dict[str, list[str]] = {}
    for day, body in re.findall(
        r'data-day="([\d-]+)">(.*?)</div>\s*</div>', html, re.S
    ):  # each day's column
        found[day] = re.findall(r'name="slot" id="[^"]+" value="([0-9a-f-]+)"', body)
    return found


def _picker(client: Client, world: World, **params: str) -> str:
    query = {"receiving_institution": str(world.hospital.pk), "kind": "outpatient", **params}
    answer = client.get(PICKER, query, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    return answer.content.decode()


def test_slots_are_grouped_by_day_on_the_beijing_clock(world: World) -> None:
    soon = timezone.localdate() + dt.timedelta(days=9)
    day = soon - dt.timedelta(days=soon.weekday()) + dt.timedelta(days=2)  # a Wednesday
    # 00:30 in Beijing is 16:30 UTC the day before: it belongs to `day`, at 00:30.
    early = _at(world.slot(capacity=2), _local(day, 0, 30))
    later = _at(world.slot(capacity=3), _local(day, 15, 0))
    next_day = _at(world.slot(), _local(day + dt.timedelta(days=1), 9, 0))
    assert early.start.astimezone(dt.UTC).date() == day - dt.timedelta(days=1)
    html = _picker(_client(world.sender), world, week=day.isoformat())
    days = _days(html)
    monday = day - dt.timedelta(days=2)
    assert list(days) == [(monday + dt.timedelta(days=n)).isoformat() for n in range(7)]
    assert days[day.isoformat()] == [str(early.uuid), str(later.uuid)]
    assert days[(day + dt.timedelta(days=1)).isoformat()] == [str(next_day.uuid)]
    assert days[(day - dt.timedelta(days=1)).isoformat()] == []
    # Times on the Beijing clock, with the places left; never the UTC hour.
    assert '<span class="xt-slot-time">00:30</span>' in html
    assert '<span class="xt-slot-time">16:30</span>' not in html
    assert "余2位" in html and "余3位" in html
    # Each slot a radio that looks like a button.
    assert f'class="btn-check" name="slot" id="slots-{early.uuid}"' in html
    assert f'class="btn btn-sm btn-outline-primary xt-slot" for="slots-{early.uuid}"' in html


def test_the_calendar_opens_on_the_first_week_with_a_free_slot(world: World) -> None:
    day = timezone.localdate() + dt.timedelta(days=20)
    slot = _at(world.slot(), _local(day, 10))
    html = _picker(_client(world.sender), world)
    assert str(slot.uuid) in _days(html)[day.isoformat()]
    # Nothing earlier to go back to; nothing later either.
    assert re.search(r'name="week" value=""[^>]*disabled', html)


def test_the_next_week_button_jumps_to_the_next_week_with_a_free_slot(world: World) -> None:
    today = timezone.localdate()
    first = _at(world.slot(), _local(today + dt.timedelta(days=8), 10))
    last = _at(world.slot(), _local(today + dt.timedelta(days=30), 10))
    client = _client(world.sender)
    html = _picker(client, world)
    first_monday = first.start.astimezone(timezone.get_current_timezone()).date()
    first_monday -= dt.timedelta(days=first_monday.weekday())
    last_day = last.start.astimezone(timezone.get_current_timezone()).date()
    last_monday = last_day - dt.timedelta(days=last_day.weekday())
    assert f'name="week" value="{last_monday.isoformat()}"' in html
    html = _picker(client, world, week=last_monday.isoformat())
    assert str(last.uuid) in _days(html)[last_day.isoformat()]
    assert f'name="week" value="{first_monday.isoformat()}"' in html


def test_slots_are_filtered_by_department(world: World) -> None:
    surgery = cast(Department, DepartmentFactory(code="04.01", name="普通外科"))
    surgical = make_schedule(world.hospital, department=surgery, name="普外科门诊")
    cardio_slot = world.slot()
    surgery_slot = make_slot(surgical, in_hours=50)
    client = _client(world.sender)
    # Two departments have free slots: the department is chosen first.
    html = _picker(client, world)
    assert "请选择科室" in html and 'name="slot"' not in html
    assert f'<option value="{world.department.pk}"' in html
    assert f'<option value="{surgery.pk}"' in html
    html = _picker(client, world, department=str(surgery.pk))
    assert str(surgery_slot.uuid) in html and str(cardio_slot.uuid) not in html
    html = _picker(client, world, department=str(world.department.pk))
    assert str(cardio_slot.uuid) in html and str(surgery_slot.uuid) not in html


def test_slots_are_filtered_by_examination(world: World) -> None:
    mri = make_schedule(
        world.hospital, department=world.department, purpose="examination",
        examination_type="mri", name="MRI",
    )  # fmt: skip
    # Both on next Wednesday (slots two days ahead may fall in another week).
    today = timezone.localdate()
    monday = today + dt.timedelta(days=7 - today.weekday())
    ct_slot = _at(world.slot(exam=True), _local(monday + dt.timedelta(days=2), 9))
    mri_slot = _at(make_slot(mri), _local(monday + dt.timedelta(days=2), 11))
    client = _client(world.sender)
    html = _picker(client, world, kind="examination", examination_type="ct", week=str(monday))
    assert str(ct_slot.uuid) in html and str(mri_slot.uuid) not in html
    # Both examinations in one week: each slot says which it is.
    html = _picker(client, world, kind="examination", week=str(monday))
    assert str(ct_slot.uuid) in html and str(mri_slot.uuid) in html
    assert '<span class="xt-slot-exam">CT</span>' in html


def test_the_chosen_slot_stays_chosen_in_another_week(world: World) -> None:
    today = timezone.localdate()
    chosen = _at(world.slot(), _local(today + dt.timedelta(days=8), 10))
    later = _at(world.slot(), _local(today + dt.timedelta(days=30), 10))
    later_monday = later.start.astimezone(timezone.get_current_timezone()).date()
    later_monday -= dt.timedelta(days=later_monday.weekday())
    html = _picker(_client(world.sender), world, slot=str(chosen.uuid), week=str(later_monday))
    # Not in this week's columns, but still the radio that is sent.
    assert str(chosen.uuid) not in str(_days(html))
    assert re.search(
        rf'name="slot" id="slots-{chosen.uuid}" value="{chosen.uuid}"[^>]*checked', html
    )
    assert "已选：" in html


def test_the_form_works_without_javascript(world: World) -> None:
    surgery = cast(Department, DepartmentFactory(code="04.01", name="普通外科"))
    make_slot(make_schedule(world.hospital, department=surgery), in_hours=50)
    slot = world.slot(capacity=2)
    client = _client(world.sender)
    url = f"/referrals/new/?patient={world.patient.uuid}"
    typed = {**REQUEST, "kind": "outpatient", "urgency": "routine"}
    # Choosing the institution and asking for the free slots: the form comes back with them,
    # what was typed kept, nothing sent.
    page = client.post(
        url, {**typed, "receiving_institution": world.hospital.pk, "show_slots": "1"}
    ).content.decode()
    assert "请选择科室" in page and REQUEST["reason"] in page
    page = client.post(
        url,
        {
            **typed,
            "receiving_institution": world.hospital.pk,
            "department": world.department.pk,
            "show_slots": "1",
        },
    ).content.decode()
    assert f'value="{slot.uuid}"' in page and REQUEST["clinical_summary"] in page
    assert "data-form-errors" not in page and not Referral.objects.exists()
    # Then sent with the slot chosen.
    sent = client.post(
        url, {**typed, "receiving_institution": world.hospital.pk, "slot": str(slot.uuid)}
    )
    assert sent.status_code == 302 and Referral.objects.get().slot_start == slot.start


def test_the_institution_change_sends_only_where_to(world: World) -> None:
    """The calendar's request carries the institution, kind and examination, never the
    clinical text typed below (a GET would put it in the address, and in the logs)."""
    html = _client(world.sender).get(f"/referrals/new/?patient={world.patient.uuid}")
    page = html.content.decode()
    fieldset = page.split('<fieldset class="xt-section"')[1].split(">")[0]
    assert 'hx-get="/referrals/new/slots/"' in fieldset
    assert 'hx-include="#id_receiving_institution, #id_kind, #id_examination_type"' in fieldset
    assert "hx-get" not in page.split("<form")[1].split(">")[0]


def test_the_desk_proposes_another_time_from_the_calendar(world: World) -> None:
    r = world.request()
    assert r.slot_start is not None
    other = world.slot()
    desk = _client(world.desk)
    page = desk.get(f"/referrals/{r.uuid}/").content.decode()
    proposal = page.split('id="proposal-slots"')[1]
    assert str(other.uuid) in proposal
    assert f'<option value="{world.department.pk}" selected>' in proposal
    # The time already booked is not offered again.
    booked = Slot.objects.get(start=r.slot_start)
    assert str(booked.uuid) not in proposal
    # Another week, asked for without JavaScript: the page comes back, nothing proposed.
    week = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    again = desk.post(f"/referrals/{r.uuid}/act/propose/", {"week": week})
    assert again.status_code == 200 and '<details class="xt-action" open>' in again.content.decode()
    assert Referral.objects.get(pk=r.pk).status == "requested"
    desk.post(f"/referrals/{r.uuid}/act/propose/", {"slot": str(other.uuid), "note": "专家外出"})
    r.refresh_from_db()
    assert r.status == "proposed" and r.proposed_slot_uuid == other.uuid


def test_the_proposal_calendar_asks_for_its_next_week_with_its_own_context(
    world: World,
) -> None:
    r = world.request()
    assert r.slot_start is not None
    other = world.slot()
    html = (
        _client(world.desk)
        .get(
            PICKER,
            {
                "picker": "proposal",
                "receiving_institution": str(world.hospital.pk),
                "kind": "outpatient",
                "examination_type": "",
                "not_at": r.slot_start.isoformat(),
            },
            HTTP_HX_REQUEST="true",
        )
        .content.decode()
    )
    assert html.startswith('<div id="proposal-slots"')
    assert f'name="not_at" value="{r.slot_start.isoformat()}"' in html
    assert 'hx-include="#proposal-slots"' in html
    assert str(Slot.objects.get(start=r.slot_start).uuid) not in html
    assert str(other.uuid) in html
