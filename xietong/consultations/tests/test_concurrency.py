"""Two people acting at once on one consultation leave one consistent state, and the one who
lost is told what happened (PostgreSQL: row locks; SQLite serialises writers)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections, connection, transaction

from xietong.consultations.models import AssignmentStatus, Consultation, Status
from xietong.consultations.services import (
    consultation_cancel,
    consultation_expert_accept,
    consultation_triage_assign,
)
from xietong.core.errors import Conflict
from xietong.patients.access import patient_visible_to

from .world import make_world, member

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises writers, so two actions cannot overlap",
)
pytestmark = [pytest.mark.postgres, postgres_only, pytest.mark.django_db(transaction=True)]


def _race(first: Callable[[], Any], second: Callable[[], Any], pk: int) -> list[Any]:
    """`first` takes the row lock and holds it while `second` starts and waits on it; then
    both finish. Returns [first's result, second's result] (an exception if one failed)."""
    results: list[Any] = [None, None]
    locked = threading.Event()

    def run(i: int, work: Callable[[], Any]) -> None:
        try:
            if i == 0:
                with transaction.atomic():
                    list(Consultation.objects.select_for_update().filter(pk=pk))
                    locked.set()
                    time.sleep(0.5)  # the second is now blocked on our row lock
                    results[0] = work()
            else:
                locked.wait(10)
                results[1] = work()
        except BaseException as exc:
            results[i] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=run, args=(0, first)),
        threading.Thread(target=run, args=(1, second)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_coordinators_triaging_at_once() -> None:
    world = make_world()
    c = world.to("triage")
    other, _ = world.more_expert()
    colleague = member(world.centre, "coordinator")
    won, lost = _race(
        lambda: consultation_triage_assign(
            actor=world.coordinator, consultation=c, experts=[world.expert]
        ),
        lambda: consultation_triage_assign(actor=colleague, consultation=c, experts=[other]),
        c.pk,
    )
    assert isinstance(won, Consultation) and won.status == Status.ASSIGNED
    assert isinstance(lost, Conflict) and lost.code == "changed_meanwhile"
    assert "待专家应答" in str(lost)  # the state it is in now, in the default language
    fresh = Consultation.objects.get(pk=c.pk)
    assert fresh.status == Status.ASSIGNED
    assert [a.expert for a in fresh.assignments.all()] == [world.expert]


def test_the_requester_cancels_while_the_expert_accepts() -> None:
    world = make_world()
    c = world.to("assigned")
    won, lost = _race(
        lambda: consultation_cancel(actor=world.requester, consultation=c, reason="患者已转院"),
        lambda: consultation_expert_accept(actor=world.expert_actor, consultation=c),
        c.pk,
    )
    assert isinstance(won, Consultation) and won.status == Status.CANCELLED
    assert isinstance(lost, Conflict) and lost.code == "changed_meanwhile"
    fresh = Consultation.objects.get(pk=c.pk)
    assert fresh.status == Status.CANCELLED
    assert fresh.assignments.get().status == AssignmentStatus.CANCELLED
    assert not patient_visible_to(world.expert_actor, world.patient)


def test_the_expert_accepts_while_the_requester_cancels() -> None:
    world = make_world()
    c = world.to("assigned")
    first, second = _race(
        lambda: consultation_expert_accept(actor=world.expert_actor, consultation=c),
        lambda: consultation_cancel(actor=world.requester, consultation=c, reason="患者已转院"),
        c.pk,
    )
    # Accepted first; cancelling an accepted consultation is still allowed, and it frees
    # everything the acceptance set up.
    assert isinstance(first, Consultation) and first.status == Status.ACCEPTED
    assert isinstance(second, Consultation) and second.status == Status.CANCELLED
    fresh = Consultation.objects.get(pk=c.pk)
    assert fresh.assignments.get().status == AssignmentStatus.CANCELLED
    assert list(fresh.events.values_list("action", flat=True))[-3:] == [
        "expert_accept",
        "all_accepted",
        "cancel",
    ]
