"""My requests, my queue, the centre's inboxes, filters, overdue flags and today's board."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xietong.consultations.selectors import consultations_for, today_board
from xietong.core.errors import NotPermitted, ValidationFailed

from .world import World, member

pytestmark = pytest.mark.django_db


def test_scopes(world: World) -> None:
    submitted = world.to("submitted")
    triage = world.to("triage")
    assigned = world.to("assigned")
    draft = world.to("draft")
    assert set(consultations_for(actor=world.requester, scope="requests")) == {
        submitted,
        triage,
        assigned,
        draft,
    }
    assert list(consultations_for(actor=world.qc, scope="qc")) == [submitted]
    assert set(consultations_for(actor=world.coordinator, scope="triage")) == {triage, assigned}
    assert list(consultations_for(actor=world.expert_actor, scope="queue")) == [assigned]
    colleague = member(world.county, "requester")
    assert not consultations_for(actor=colleague, scope="requests").exists()


def test_filters_and_search(world: World) -> None:
    urgent = world.to("submitted", urgency="urgent", kind="ecg")
    world.to("submitted")
    assert list(consultations_for(actor=world.qc, urgency="urgent")) == [urgent]
    assert list(consultations_for(actor=world.qc, kind="ecg")) == [urgent]
    assert list(consultations_for(actor=world.qc, q=urgent.number)) == [urgent]
    with pytest.raises(ValidationFailed):
        consultations_for(actor=world.qc, urgency="soonish")


def test_overdue_is_flagged_once_the_clock_passes_the_deadline(world: World) -> None:
    c = world.to("triage", urgency="emergency")
    now = timezone.now()
    assert not consultations_for(actor=world.coordinator, overdue=True, now=now).exists()
    later = now + dt.timedelta(minutes=31)
    rows = list(consultations_for(actor=world.coordinator, overdue=True, now=later))
    assert rows == [c] and rows[0].is_overdue  # type: ignore[attr-defined]


def test_today_board(world: World) -> None:
    world.to("in_progress")
    world.to("completed")
    world.to("triage")  # not on the board: nobody accepted it yet
    board = today_board(actor=world.coordinator)
    assert (board.total, board.done, board.waiting) == (2, 1, 1)
    row = board.rows[0]
    assert row.hospital == world.county.name and row.experts == world.expert.practitioner.name
    with pytest.raises(NotPermitted):  # a requester's role never sees a board
        today_board(actor=world.requester)
