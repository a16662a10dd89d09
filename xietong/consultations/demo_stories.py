"""The demo's consultations as stories: each is planned backwards from a moment before now (or
around a slot of the expert's sessions) and told step by step through the services. A story
yields the moment of its next step; the demo runs all stories interleaved in time order with
the clock set to each moment (xietong/demo/clock.py), so today's board shows real-time
consultations at their slots and rooms, and the rest carry times that read like a week of
work: drafts from this morning, a request returned yesterday, opinions signed days ago."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from xietong.core.actor import Actor
from xietong.directory.models import Expert
from xietong.imaging.selectors import studies_visible_to
from xietong.patients.models import Patient
from xietong.scheduling.models import Slot, SlotStatus

from . import services as s
from .demo import DemoCast, Vignette, consent_record_once, consent_scan
from .models import Consultation, Mode, Urgency

Story = Iterator[dt.datetime]

# Each demo consultation: its final state, the slot it wants ("past": one of today's slots
# already held, "now": one running now, "future": one still to come, "none": real-time but
# not yet booked, None: asynchronous) and, when it has no slot, how many hours before now
# its last step was taken. A wanted slot that today does not offer (the seed runs at night,
# say) leaves the consultation asynchronous at that distance from now.
PLAN: tuple[tuple[str, str | None, float], ...] = (
    ("draft", None, 0.4), ("draft", None, 3),
    ("submitted", None, 0.7), ("submitted", None, 2.5),
    ("returned", None, 20),
    ("triage", None, 1.5), ("triage", None, 4),
    ("declined", None, 26),
    ("assigned", None, 2), ("assigned", None, 5),
    ("accepted", "none", 0.75),
    ("scheduled", "future", 0.25), ("scheduled", "future", 0.5),
    ("in_progress", "now", 0.5),
    ("opinion_signed", "past", 1.2), ("opinion_signed", None, 3),
    ("completed", "past", 0.5), ("completed", "past", 3),
    ("completed", None, 50), ("completed", None, 98),
    ("cancelled", None, 30),
)  # fmt: skip

# The steps a consultation takes to reach each state, in order.
_PATH = ("create", "submit", "qc_pass", "assign", "accept", "schedule", "start", "sign", "ack")
_LAST = {
    "draft": "create", "submitted": "submit", "triage": "qc_pass", "assigned": "assign",
    "accepted": "accept", "scheduled": "schedule", "in_progress": "start",
    "opinion_signed": "sign", "completed": "ack",
}  # fmt: skip
# States that leave the path: the path up to the step before, then their own step.
_ASIDE = {"returned": ("submit", "qc_return"), "cancelled": ("submit", "cancel"),
          "declined": ("assign", "decline")}  # fmt: skip

# Minutes from the step before to this one (a few more are added at random).
_GAP = {
    "submit": 12, "qc_pass": 35, "qc_return": 40, "cancel": 180, "assign": 50, "decline": 70,
    "accept": 80, "schedule": 20, "start": 60, "sign": 35, "ack": 150,
}  # fmt: skip
# A slot held today must leave room for what follows it before now.
_AFTER_START = {"start": 5, "sign": 3 + 35 + 10, "ack": 3 + 35 + 150 + 10}
ROOMS = ("远程会诊室一", "远程会诊室二", "多学科会诊室")


@dataclass
class _Plan:
    state: str
    steps: list[str]
    moments: dict[str, dt.datetime]
    slot: Slot | None
    room: str


def _steps(state: str, booked: bool) -> list[str]:
    if state in _ASIDE:
        before, own = _ASIDE[state]
        return [*_PATH[: _PATH.index(before) + 1], own]
    steps = list(_PATH[: _PATH.index(_LAST[state]) + 1])
    return steps if booked else [step for step in steps if step != "schedule"]


def _backwards(steps: list[str], last: dt.datetime, rng: random.Random) -> dict[str, dt.datetime]:
    moments = {steps[-1]: last}
    for earlier, later in zip(reversed(steps[:-1]), reversed(steps[1:]), strict=True):
        minutes = _GAP[later] + rng.randint(0, 9)
        moments[earlier] = moments[later] - dt.timedelta(minutes=minutes)
    return moments


def _slot_moments(
    steps: list[str], slot: Slot, now: dt.datetime, rng: random.Random
) -> dict[str, dt.datetime]:
    """Booked the day before the slot (or a quarter of an hour ago for a slot booked today),
    begun three minutes into it, signed and acknowledged after it."""
    booked_at = min(slot.start - dt.timedelta(hours=22), now - dt.timedelta(minutes=15))
    moments = _backwards(steps[: steps.index("schedule") + 1], booked_at, rng)
    following = {"start": 3, "sign": 3 + 35, "ack": 3 + 35 + 150}
    for step in steps[steps.index("schedule") + 1 :]:
        moments[step] = slot.start + dt.timedelta(minutes=following[step])
    return moments


class _Slots:
    """The demo expert's free consultation slots, handed out once each."""

    def __init__(self, expert: Expert, now: dt.datetime) -> None:
        self.now = now
        local = timezone.localtime(now)
        day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        self.free = list(
            Slot.objects.filter(
                schedule__practitioner=expert.practitioner,
                status=SlotStatus.FREE,
                start__gte=day_start,
            ).order_by("start")
        )

    def take(self, want: str, last_step: str) -> Slot | None:
        now = self.now
        if want == "future":
            fits = [x for x in self.free if x.start >= now + dt.timedelta(hours=1)]
        elif want == "now":
            fits = [x for x in self.free if now - dt.timedelta(minutes=50) <= x.start
                    <= now - dt.timedelta(minutes=5)][-1:]  # fmt: skip
        else:  # "past": one of today's, early enough for the steps that follow it
            room = dt.timedelta(minutes=_AFTER_START[last_step])
            fits = [x for x in self.free if x.start <= now - room]
        if not fits:
            return None
        # An opinion signed lately waits to be read; the acknowledged ones were held early.
        slot = fits[-1] if last_step == "sign" else fits[0]
        self.free.remove(slot)
        return slot


def _plan(
    state: str, want: str | None, hours: float, slots: _Slots, rng: random.Random, n: int
) -> _Plan:
    now = slots.now
    slot = None
    if want is not None and want != "none":
        slot = slots.take(want, _LAST.get(state, ""))
    steps = _steps(state, booked=slot is not None)
    if slot is not None:
        moments = _slot_moments(steps, slot, now, rng)
    else:
        moments = _backwards(steps, now - dt.timedelta(hours=hours), rng)
    latest = max(moments.values())
    if latest > now:
        raise ValueError(f"demo consultation planned after now: {state} at {latest}")
    return _Plan(state, steps, moments, slot, ROOMS[n % len(ROOMS)] if slot else "")


def _values(v: Vignette, rng: random.Random, realtime: bool) -> dict[str, Any]:
    return {
        "reason": f"{v.complaint}，诊断与治疗方案需上级专家指导",
        "purpose": "明确诊断，指导下一步治疗",
        "chief_complaint": v.complaint,
        "present_illness": v.illness,
        "diagnosis_code": v.code,
        "diagnosis_text": v.diagnosis,
        "current_treatment": "对症处理，生命体征平稳",
        "wanted_department": v.department,
        "wanted_title": "chief",
        "urgency": rng.choice([Urgency.ROUTINE, Urgency.ROUTINE, Urgency.URGENT]),
        "mode": Mode.REALTIME if realtime else Mode.ASYNC,
        "preferred_times": [rng.choice(["明天上午", "本周内下午", "尽快"])],
    }


@dataclass(frozen=True)
class _Cast:
    requester: Actor
    expert: Expert
    expert_actor: Actor
    vignette: Vignette


def _story(
    plan: _Plan, cast: DemoCast, who: _Cast, patient: Patient, values: dict[str, Any],
    scan: bytes, made: list[Consultation],
) -> Story:  # fmt: skip
    yield plan.moments["create"]
    if plan.state != "draft":
        consent_record_once(who.requester, patient, scan)
    c = s.consultation_create(actor=who.requester, patient=patient, **values)
    # The studies the hospital's PACS sent for this patient, for the expert to read.
    studies = studies_visible_to(who.requester).filter(patient_id=patient.pk)
    chosen = list(studies.values_list("uuid", flat=True))
    if chosen:
        s.consultation_studies_set(actor=who.requester, consultation=c, studies=chosen)
    made.append(c)
    for step in plan.steps[1:]:
        yield plan.moments[step]
        c = _take(step, c, plan, cast, who)


def _take(step: str, c: Consultation, plan: _Plan, cast: DemoCast, who: _Cast) -> Consultation:
    v = who.vignette
    if step == "submit":
        return s.consultation_submit(actor=who.requester, consultation=c)
    if step == "qc_return":
        return s.consultation_qc_return(
            actor=cast.qc, consultation=c, comment="请补充近期心电图或影像检查报告"
        )
    if step == "cancel":
        return s.consultation_cancel(
            actor=who.requester, consultation=c, reason="患者病情好转，已出院"
        )
    if step == "qc_pass":
        return s.consultation_qc_pass(actor=cast.qc, consultation=c)
    if step == "assign":
        return s.consultation_triage_assign(
            actor=cast.coordinator, consultation=c, experts=[who.expert]
        )
    if step == "decline":
        return s.consultation_expert_decline(
            actor=who.expert_actor, consultation=c, reason="本周外出学术会议，请改派其他专家"
        )
    if step == "accept":
        return s.consultation_expert_accept(actor=who.expert_actor, consultation=c)
    if step == "schedule":
        assert plan.slot is not None
        return s.consultation_schedule(
            actor=cast.coordinator, consultation=c, slot=plan.slot, room=plan.room
        )
    if step == "start":
        return s.consultation_start(actor=who.expert_actor, consultation=c)
    if step == "sign":
        s.consultation_opinion_draft_save(
            actor=who.expert_actor, consultation=c, diagnosis=v.opinion,
            recommendations=v.advice, follow_up="两周后门诊复诊，病情变化随时就诊",
        )  # fmt: skip
        s.consultation_opinion_sign(actor=who.expert_actor, consultation=c, password=cast.password)
        c.refresh_from_db()
        return c
    assert step == "ack"
    return s.consultation_acknowledge(
        actor=who.requester, consultation=c, rating=5, comment="意见明确，非常感谢"
    )


def consultation_parties(
    *, cast: DemoCast, patients_of: Callable[[Actor], Sequence[Patient]]
) -> list[tuple[str, Actor, Patient]]:
    """Each consultation of PLAN, in order: its final state, its requester and its patient.
    The demo's other stories (the imaging studies) find the same patients here."""
    parties = []
    for n, (state, _want, _hours) in enumerate(PLAN):
        requester = cast.requesters[n % len(cast.requesters)]
        patients = patients_of(requester)
        parties.append((state, requester, patients[n % len(patients)]))
    return parties


def consultations_demo_stories(
    *,
    rng: random.Random,
    cast: DemoCast,
    patients_of: Callable[[Actor], Sequence[Patient]],
    made: list[Consultation],
    now: dt.datetime | None = None,
) -> list[Story]:
    """The stories of PLAN, planned against the demo expert's free slots as they stand (so
    the expert's sessions must be published first). Each consultation is appended to `made`
    when its story creates it."""
    now = now or timezone.now()
    slots = _Slots(cast.experts[0][0], now)
    scan = consent_scan().read()
    stories = []
    parties = consultation_parties(cast=cast, patients_of=patients_of)
    for n, ((state, want, hours), (_state, requester, patient)) in enumerate(
        zip(PLAN, parties, strict=True)
    ):
        expert, expert_actor, vignettes = cast.experts[n % len(cast.experts)]
        v = rng.choice(vignettes)
        plan = _plan(state, want, hours, slots, rng, n)
        realtime = plan.slot is not None or want == "none"
        who = _Cast(requester, expert, expert_actor, v)
        values = _values(v, rng, realtime)
        stories.append(_story(plan, cast, who, patient, values, scan, made))
    return stories
