"""Every transition of the reading table, and every pair the table refuses (generated from
it): the allowed one lands in the table's next state with its timeline line and audit
event; a refused one raises and leaves the request as it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from xietong.accounts.tests.factories import PASSWORD
from xietong.core.actor import Actor
from xietong.core.errors import Conflict, NotPermitted
from xietong.core.models import AuditEvent
from xietong.imaging.reading import reports as rep
from xietong.imaging.reading import services as svc
from xietong.imaging.reading.models import ReadingEvent, ReadingRequest, Status
from xietong.imaging.reading.workflow import FHIR, TABLE, Action

from .world import World, world_build

pytestmark = pytest.mark.django_db

CONTENT = {"technique": "胸部CT平扫", "findings": "右肺上叶见一3 cm肿块，边缘分叶",
           "impression": "右肺上叶占位，考虑肺癌", "advice": "建议增强CT及穿刺活检",
           "critical": True}  # fmt: skip

Perform = Callable[[World, ReadingRequest], Any]

PERFORM: dict[Action, Perform] = {
    Action.CLAIM: lambda w, r: svc.reading_claim(actor=w.reader, reading=r),
    Action.RELEASE: lambda w, r: svc.reading_release(actor=w.reader, reading=r),
    Action.REPORT_SAVE: lambda w, r: rep.report_draft_save(actor=w.reader, reading=r,
                                                           findings="右肺上叶肿块"),
    Action.PRELIMINARY: lambda w, r: rep.report_preliminary(actor=w.reader, reading=r, **CONTENT),
    Action.SIGN: lambda w, r: rep.report_sign(actor=w.senior, reading=r, password=PASSWORD),
    Action.RETURN: lambda w, r: rep.report_return(actor=w.senior, reading=r,
                                                  reason="请补充纵隔淋巴结描述"),
    Action.CORRECT: lambda w, r: rep.report_correct(actor=w.senior, reading=r, reason="笔误",
                                                    password=PASSWORD, advice="建议穿刺活检"),
    Action.CRITICAL_ACK: lambda w, r: rep.critical_acknowledge(actor=w.requester, reading=r),
    Action.CANCEL: lambda w, r: svc.reading_cancel(actor=w.requester, reading=r,
                                                   reason="患者已转院"),
}  # fmt: skip
PERFORMER: dict[Action, Callable[[World], Actor]] = {
    Action.CLAIM: lambda w: w.reader,
    Action.RELEASE: lambda w: w.reader,
    Action.REPORT_SAVE: lambda w: w.reader,
    Action.PRELIMINARY: lambda w: w.reader,
    Action.SIGN: lambda w: w.senior,
    Action.RETURN: lambda w: w.senior,
    Action.CORRECT: lambda w: w.senior,
    Action.CRITICAL_ACK: lambda w: w.requester,
    Action.CANCEL: lambda w: w.requester,
}

# How to bring a fresh request to each state, step by step.
PATH: dict[Status, list[Action]] = {
    Status.REQUESTED: [],
    Status.READING: [Action.CLAIM],
    Status.PRELIMINARY: [Action.CLAIM, Action.PRELIMINARY],
    Status.FINAL: [Action.CLAIM, Action.PRELIMINARY, Action.SIGN],
    Status.AMENDED: [Action.CLAIM, Action.PRELIMINARY, Action.SIGN, Action.CORRECT],
    Status.CANCELLED: [Action.CANCEL],
}


def _at(w: World, state: Status) -> ReadingRequest:
    r = w.request()
    for action in PATH[state]:
        PERFORM[action](w, ReadingRequest.objects.get(pk=r.pk))
    r = ReadingRequest.objects.get(pk=r.pk)
    assert r.status == state
    return r


def test_every_action_and_state_is_covered() -> None:
    assert set(PERFORM) == set(Action) == set(PERFORMER)
    assert set(PATH) == set(Status) == set(FHIR)


@pytest.mark.parametrize(("state", "action"), sorted(TABLE), ids=lambda v: str(v))
def test_each_transition_of_the_table(state: Status, action: Action) -> None:
    w = world_build()
    r = _at(w, state)
    PERFORM[action](w, r)
    after = ReadingRequest.objects.get(pk=r.pk)
    assert after.status == TABLE[(state, action)].next
    assert ReadingEvent.objects.filter(reading=r, action=action).exists()
    assert AuditEvent.objects.filter(action=f"imaging_reading.{action}",
                                     resource_id=str(r.uuid)).exists()  # fmt: skip


REFUSED = [(s, a) for s in Status for a in Action if (s, a) not in TABLE]


@pytest.mark.parametrize(("state", "action"), REFUSED, ids=lambda v: str(v))
def test_each_pair_the_table_refuses(state: Status, action: Action) -> None:
    w = world_build()
    r = _at(w, state)
    before = ReadingRequest.objects.values().get(pk=r.pk)
    events = ReadingEvent.objects.count()
    with pytest.raises((Conflict, NotPermitted)):
        PERFORM[action](w, r)
    assert ReadingRequest.objects.values().get(pk=r.pk) == before
    assert ReadingEvent.objects.count() == events
