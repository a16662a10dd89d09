"""Booking a real-time consultation into a free slot of the expert's schedule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xietong.consultations.models import Status
from xietong.scheduling.models import Slot
from xietong.scheduling.tests.factories import make_slot

from .pages_request import sign_in, text
from .world import World, a_slot

pytestmark = pytest.mark.django_db


def test_inbox_offers_booking_and_the_page_lists_free_slots(client: Client, world: World) -> None:
    c = world.to("accepted", mode="realtime")
    slot = a_slot(world)
    sign_in(client, world.coordinator)
    page = text(client.get(reverse("consultations:inbox"), {"tab": "schedule"}))
    assert reverse("consultations:schedule", args=[c.uuid]) in page
    page = text(client.get(reverse("consultations:schedule", args=[c.uuid])))
    assert str(slot.uuid) in page


def test_book_a_slot(client: Client, world: World) -> None:
    c = world.to("accepted", mode="realtime")
    slot = a_slot(world)
    sign_in(client, world.coordinator)
    response = client.post(
        reverse("consultations:schedule", args=[c.uuid]),
        {"slot": str(slot.uuid), "room": "会诊室2"},
        follow=True,
    )
    # The time as the coordinator reads it: in the platform's zone, to the minute.
    shown = timezone.localtime(slot.start).strftime("%Y-%m-%d %H:%M")
    assert f"booked for {shown}." in text(response)
    assert "+00:00" not in text(response)
    c.refresh_from_db()
    assert c.status == Status.SCHEDULED and c.room == "会诊室2"


def test_taken_slot_offers_the_next_free_ones(client: Client, world: World) -> None:
    c = world.to("accepted", mode="realtime")
    taken = a_slot(world)
    Slot.objects.filter(pk=taken.pk).update(booked_count=1, status="busy")
    later = make_slot(taken.schedule, in_hours=72)
    sign_in(client, world.coordinator)
    response = client.post(
        reverse("consultations:schedule", args=[c.uuid]), {"slot": str(taken.uuid)}
    )
    page = text(response)
    assert response.status_code == 409
    assert "This slot is taken" in page and str(later.uuid) in page
    c.refresh_from_db()
    assert c.status == Status.ACCEPTED


def test_no_slot_chosen(client: Client, world: World) -> None:
    c = world.to("accepted", mode="realtime")
    sign_in(client, world.coordinator)
    response = client.post(reverse("consultations:schedule", args=[c.uuid]), {})
    assert response.status_code == 422 and "Choose a time." in text(response)


def test_asynchronous_consultation_is_not_booked(client: Client, world: World) -> None:
    c = world.to("accepted")
    slot = a_slot(world)
    sign_in(client, world.coordinator)
    response = client.post(
        reverse("consultations:schedule", args=[c.uuid]), {"slot": str(slot.uuid)}, follow=True
    )
    assert "Only a real-time consultation" in text(response)
    c.refresh_from_db()
    assert c.status == Status.ACCEPTED


def test_change_the_booked_time(client: Client, world: World) -> None:
    c = world.to("scheduled")
    first = c.scheduled_start
    later = make_slot(a_slot(world, in_hours=96).schedule, in_hours=120)
    sign_in(client, world.coordinator)
    page = text(client.get(reverse("consultations:inbox"), {"tab": "all"}))
    assert "Change the time" in page
    assert "Booked for" in text(client.get(reverse("consultations:schedule", args=[c.uuid])))
    client.post(reverse("consultations:schedule", args=[c.uuid]), {"slot": str(later.uuid)})
    c.refresh_from_db()
    assert c.status == Status.SCHEDULED and c.scheduled_start != first


def test_free_times_are_a_calendar_of_days_on_the_coordinators_clock(
    client: Client, world: World
) -> None:
    c = world.to("accepted", mode="realtime")
    slot = a_slot(world)
    # 23:30 UTC is 07:30 the next morning in Beijing: the slot belongs to that day.
    day = timezone.localtime(slot.start).date()
    utc_evening = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(23, 30), tzinfo=dt.UTC)
    Slot.objects.filter(pk=slot.pk).update(
        start=utc_evening, end=utc_evening + dt.timedelta(minutes=30)
    )
    sign_in(client, world.coordinator)
    page = text(client.get(reverse("consultations:schedule", args=[c.uuid])))
    column = page.split(f'data-day="{day:%Y-%m-%d}"', 1)[1].split('data-day="', 1)[0]
    assert f'value="{slot.uuid}"' in column and "07:30" in column
    assert 'class="btn-check"' in column  # a button to pick, not a bare radio in a list


def test_the_booking_page_costs_the_same_however_many_free_times(
    client: Client, world: World
) -> None:
    from xietong.core.tests.statements import statements_counted

    c = world.to("accepted", mode="realtime")
    first = a_slot(world)
    sign_in(client, world.coordinator)
    url = reverse("consultations:schedule", args=[c.uuid])
    client.get(url)  # the session and the caches warmed

    def statements() -> int:
        with statements_counted() as found:
            assert client.get(url).status_code == 200
        return len(found)

    few = statements()
    for hours in range(72, 72 + 24 * 8, 24):
        make_slot(first.schedule, in_hours=hours)
    assert statements() == few
    assert few <= 15
    assert text(client.get(url)).count('class="btn-check"') == 9
