"""My requests: the list, filters, search, overdue flag and the navigation entry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xietong.consultations.models import Consultation

from .pages_request import sign_in, text
from .world import World

pytestmark = pytest.mark.django_db


def test_list_filters_and_search(client: Client, world: World) -> None:
    urgent = world.to("submitted", urgency="urgent")
    draft = world.to("draft")
    sign_in(client, world.requester)
    url = reverse("consultations:mine")
    page = text(client.get(url))
    assert urgent.number in page and draft.number in page
    assert f'href="{url}"' in page  # navigation entry
    page = text(client.get(url, {"urgency": "urgent"}))
    assert urgent.number in page and draft.number not in page
    page = text(client.get(url, {"status": "draft"}))
    assert draft.number in page and urgent.number not in page
    page = text(client.get(url, {"q": urgent.number}))
    assert urgent.number in page and draft.number not in page
    page = text(client.get(url, {"q": world.patient.name}))
    assert urgent.number in page and draft.number in page
    page = text(client.get(url, {"q": "无此人"}))
    assert "Nothing here." in page


def test_overdue_flag_and_filter(client: Client, world: World) -> None:
    late = world.to("submitted")
    on_time = world.to("submitted")
    Consultation.objects.filter(pk=late.pk).update(accept_by=timezone.now() - dt.timedelta(hours=1))
    sign_in(client, world.requester)
    url = reverse("consultations:mine")
    page = text(client.get(url))
    assert "Overdue" in page
    page = text(client.get(url, {"overdue": "on"}))
    assert late.number in page and on_time.number not in page


def test_htmx_answers_with_the_rows_only(client: Client, world: World) -> None:
    c = world.to("draft")
    sign_in(client, world.requester)
    response = client.get(reverse("consultations:mine"), HTTP_HX_REQUEST="true")
    page = text(response)
    assert c.number in page and "<html" not in page


def test_rows_offer_the_next_action(client: Client, world: World) -> None:
    returned = world.to("returned")
    sign_in(client, world.requester)
    page = text(client.get(reverse("consultations:mine")))
    assert "Amend and resubmit" in page
    assert reverse("consultations:edit", args=[returned.uuid]) in page
    assert reverse("consultations:cancel", args=[returned.uuid]) in page


def test_bad_filter_value_is_ignored(client: Client, world: World) -> None:
    c = world.to("draft")
    sign_in(client, world.requester)
    response = client.get(reverse("consultations:mine"), {"status": "nonsense"})
    assert response.status_code == 200 and c.number in text(response)


def test_home_card_counts_returned(client: Client, world: World) -> None:
    world.to("returned")
    sign_in(client, world.requester)
    page = text(client.get(reverse("home")))
    assert "My consultation requests" in page
    assert "1 returned for more information" in page


def _card(page: str, title: str) -> str:
    start = page.index(title)
    return page[start : page.index("</section>", start)]


def test_home_card_counts_the_signed_opinion_waiting_to_be_read(
    client: Client, world: World
) -> None:
    # An opinion signed for the doctor waits for them as much as a returned request does.
    world.to("opinion_signed")
    world.to("returned")
    world.to("completed")  # read and rated already: nothing waits
    sign_in(client, world.requester)
    card = _card(text(client.get(reverse("home"))), "My consultation requests")
    assert ">2</span>" in card
    assert "1 returned for more information." in card
    assert "1 opinion to read and acknowledge." in card


def test_only_requesters(client: Client, world: World) -> None:
    sign_in(client, world.expert_actor)
    assert client.get(reverse("consultations:mine")).status_code == 403


def test_columns_sort_with_the_filters_kept(client: Client, world: World) -> None:
    routine = world.to("submitted")
    emergency = world.to("submitted", urgency="emergency")
    urgent = world.to("submitted", urgency="urgent")
    sign_in(client, world.requester)
    url = reverse("consultations:mine")

    def order(page: str) -> list[str]:
        found = {c.number: page.index(c.number) for c in (routine, emergency, urgent)}
        return sorted(found, key=found.__getitem__)

    page = text(client.get(url, {"status": "submitted", "sort": "urgency"}))
    assert order(page) == [emergency.number, urgent.number, routine.number]
    # The header says how the list is sorted and offers the other way, filters kept.
    assert 'aria-sort="ascending"><a href="?status=submitted&amp;sort=-urgency"' in page
    page = text(client.get(url, {"status": "submitted", "sort": "-urgency"}))
    assert order(page) == [routine.number, urgent.number, emergency.number]
    page = text(client.get(url, {"sort": "-number"}))
    assert order(page) == [urgent.number, emergency.number, routine.number]
    # A key no column declares sorts by nothing: newest first, as by default.
    page = text(client.get(url, {"sort": "patient__resident_id"}))
    assert order(page) == [urgent.number, emergency.number, routine.number]
    assert 'aria-sort="ascending"' not in page and 'aria-sort="descending"' not in page
