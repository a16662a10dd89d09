"""The navigation's numbers beside the three worklists: what waits for this person, each
counted in one query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xietong.accounts.tests.factories import PASSWORD
from xietong.consultations import services as s
from xietong.consultations.selectors import (
    centre_waiting_count,
    queue_waiting_count,
    requests_waiting_count,
)
from xietong.core.actor import Actor

from .pages_request import sign_in, text
from .world import World, member

pytestmark = pytest.mark.django_db


def _one_query(counter: object, actor: Actor) -> int | None:
    with CaptureQueriesContext(connection) as queries:
        n = counter(actor)  # type: ignore[operator]
    assert len(queries) == 1, [q["sql"] for q in queries]
    return n


def test_my_requests_counts_the_returned_and_the_opinions_to_acknowledge(world: World) -> None:
    world.to("draft")
    world.to("submitted")
    world.to("returned")
    world.to("opinion_signed")
    world.to("completed")
    assert _one_query(requests_waiting_count, world.requester) == 2
    # A colleague at the same hospital has their own requests, not these.
    assert _one_query(requests_waiting_count, member(world.county, "requester")) == 0


def test_the_inbox_counts_what_waits_for_the_role(world: World) -> None:
    world.to("submitted")
    world.to("submitted")
    world.to("triage")
    world.to("assigned")  # waiting for the expert, not for the coordinator
    assert _one_query(centre_waiting_count, world.qc) == 2
    assert _one_query(centre_waiting_count, world.coordinator) == 1
    both = member(world.centre, "qc", "coordinator")
    assert _one_query(centre_waiting_count, both) == 3


def test_the_queue_counts_proposals_and_opinions_not_yet_signed(world: World) -> None:
    world.to("assigned")  # to accept or decline
    world.to("accepted")  # to write
    c = world.to("in_progress")
    s.consultation_opinion_draft_save(
        actor=world.expert_actor, consultation=c, diagnosis="不稳定型心绞痛"
    )  # a draft is not signed: still to do
    world.to("opinion_signed")  # signed: done
    world.to("completed")
    assert _one_query(queue_waiting_count, world.expert_actor) == 3
    declined = world.to("assigned")
    s.consultation_expert_decline(actor=world.expert_actor, consultation=declined, reason="出差")
    assert _one_query(queue_waiting_count, world.expert_actor) == 3


def test_an_mdt_lead_still_has_the_summary_to_sign(world: World) -> None:
    second, second_actor = world.more_expert()
    c = world.to("triage", kind="mdt")
    s.consultation_triage_assign(
        actor=world.coordinator, consultation=c, experts=[world.expert, second], lead=second
    )
    for actor in (world.expert_actor, second_actor):
        c = s.consultation_expert_accept(actor=actor, consultation=c)
    c = s.consultation_start(actor=second_actor, consultation=c)
    for actor in (world.expert_actor, second_actor):
        s.consultation_opinion_draft_save(
            actor=actor, consultation=c, diagnosis="不稳定型心绞痛", recommendations="冠脉造影"
        )
        s.consultation_opinion_sign(actor=actor, consultation=c, password=PASSWORD)
    c.refresh_from_db()
    assert _one_query(queue_waiting_count, world.expert_actor) == 0  # their part is signed
    assert _one_query(queue_waiting_count, second_actor) == 1  # the summary is not


def test_the_numbers_show_beside_the_entries(client: Client, world: World) -> None:
    world.to("returned")
    sign_in(client, world.requester)
    page = text(client.get(reverse("home")))
    entry = page[page.index(f'href="{reverse("consultations:mine")}"') :]
    entry = entry[: entry.index("</li>")]
    assert 'class="bi bi-send"' in entry and "xt-nav-count" in entry and ">1</span>" in entry
