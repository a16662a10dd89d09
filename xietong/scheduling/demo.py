"""Published capacity for the demo province and the benchmark: outpatient schedules of
departments, expert consultation sessions and CT/MRI/ultrasound examinations at provincial
and municipal hospitals, with slots for the next weeks. Built through the services, so the
audit log sees real events. The demo generator calls `scheduling_demo_seed`."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone

from xietong.core.actor import Actor
from xietong.directory.models import Department, Institution, Practitioner

from .models import ExaminationType, Purpose, Schedule
from .services import schedule_create, schedule_rules_set, slots_generate

WEEKDAYS = range(5)
# The departments a hospital publishes outpatient capacity for, by standard code name.
OUTPATIENT_NAMES = (
    "心血管内科",
    "神经内科",
    "消化内科",
    "呼吸内科",
    "普通外科",
    "骨科",
    "肿瘤科",
    "妇产科",
    "儿科",
    "内分泌科",
)
EXAM_DEPARTMENT = {
    ExaminationType.CT: "32",
    ExaminationType.MRI: "32",
    ExaminationType.ULTRASOUND: "32.05",
}
EXAM_LABELS = {
    ExaminationType.CT: "CT 检查",
    ExaminationType.MRI: "磁共振检查",
    ExaminationType.ULTRASOUND: "超声检查",
}


def _rules(
    days: Iterable[int], sessions: list[tuple[str, str]], minutes: int, capacity: int, reserved: int
) -> list[dict[str, Any]]:
    return [
        {
            "weekday": day,
            "start_time": start,
            "end_time": end,
            "slot_minutes": minutes,
            "capacity": capacity,
            "referral_reserved": reserved,
        }
        for day in days
        for start, end in sessions
    ]


def _departments(rng: random.Random, count: int) -> list[Department]:
    named = list(Department.objects.filter(name__in=OUTPATIENT_NAMES).order_by("code"))
    pool = named or list(Department.objects.order_by("code")[:12])
    return rng.sample(pool, k=min(count, len(pool)))


def _schedule(actor: Actor, rules: list[dict[str, Any]], **kwargs: Any) -> Schedule:
    schedule = schedule_create(actor=actor, **kwargs)
    schedule_rules_set(actor=actor, schedule=schedule, rules=rules)
    return schedule


def scheduling_demo_seed(
    *,
    rng: random.Random,
    institutions: Iterable[Institution],
    actor_for: Callable[[Institution], Actor],
    weeks: int = 3,
    today: dt.date | None = None,
    departments_per_hospital: int | None = None,
) -> list[Schedule]:
    """Publishes schedules and generates `weeks` of slots at each provincial or municipal
    hospital of `institutions` that has none yet (so a resumed seed adds nothing twice).
    `actor_for(institution)` returns the referral desk (or an administrator) of that
    institution, in whose name the schedules are written."""
    start = today or timezone.localdate()
    end = start + dt.timedelta(weeks=weeks) - dt.timedelta(days=1)
    made: list[Schedule] = []
    for institution in institutions:
        if institution.level not in ("provincial", "municipal") or institution.kind != "hospital":
            continue
        # Its outpatient and examination schedules (an expert's consultation sessions at the
        # same hospital are another matter).
        published = Schedule.objects.filter(institution=institution).exclude(
            purpose=Purpose.CONSULTATION
        )
        if published.exists():
            continue
        actor = actor_for(institution)
        provincial = institution.level == "provincial"
        schedules: list[Schedule] = []
        count = departments_per_hospital or (6 if provincial else 4)
        for department in _departments(rng, count):
            schedules.append(
                _schedule(
                    actor,
                    _rules(
                        WEEKDAYS,
                        [("08:00", "12:00"), ("14:00", "17:00")],
                        30,
                        rng.choice([3, 4, 6]),
                        1 if provincial else 2,
                    ),
                    name=f"{department.name}门诊",
                    purpose=Purpose.OUTPATIENT,
                    department=department,
                )
            )
        experts = Practitioner.objects.filter(institution=institution, expert__active=True)
        for expert in experts.order_by("pk")[: 3 if provincial else 1]:
            days = sorted(rng.sample(list(WEEKDAYS), k=2))
            schedules.append(
                _schedule(
                    actor,
                    _rules(days, [("14:00", "17:00")], 30, 1, 0),
                    name=f"{expert.name}远程会诊",
                    purpose=Purpose.CONSULTATION,
                    department=expert.department,
                    practitioner=expert,
                )
            )
        exams = [ExaminationType.CT, ExaminationType.ULTRASOUND]
        if provincial or rng.random() < 0.5:
            exams.insert(1, ExaminationType.MRI)
        for exam in exams:
            minutes = 30 if exam == ExaminationType.MRI else 20
            schedules.append(
                _schedule(
                    actor,
                    _rules(
                        range(6),
                        [("08:00", "12:00"), ("14:00", "17:30")],
                        minutes,
                        2 if exam == ExaminationType.MRI else 3,
                        1,
                    ),
                    name=EXAM_LABELS[exam],
                    purpose=Purpose.EXAMINATION,
                    examination_type=exam,
                    department=Department.objects.filter(code=EXAM_DEPARTMENT[exam]).first(),
                )
            )
        for schedule in schedules:
            slots_generate(actor=actor, schedule=schedule, start_date=start, end_date=end)
        made.extend(schedules)
    return made
