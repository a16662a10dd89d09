"""The demo province at work: published slots at the provincial and municipal hospitals, and a
history of consultations and referrals in every state, made through the apps' own services (so
they are audited and notified like anything a person does)."""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.accounts.actors import actor_for_membership
from xietong.accounts.models import Membership, Role, User
from xietong.consultations.demo import NEUROLOGY, DemoCast, consultations_demo_seed
from xietong.consultations.models import Consultation
from xietong.core.actor import Actor
from xietong.directory.models import Expert, Institution
from xietong.patients.models import CareRelationship, Patient
from xietong.referrals.demo import referrals_demo_seed, staff_of
from xietong.scheduling.demo import scheduling_demo_seed
from xietong.scheduling.models import Purpose, Schedule
from xietong.scheduling.services import schedule_create, schedule_rules_set, slots_generate

from .logins import DEMO_PASSWORD
from .plan import ProvincePlan, demo_counties


def activity_exists() -> bool:
    return Consultation.objects.exists()


def _actor(username: str, role: str) -> Actor:
    memberships = Membership.objects.filter(user__username=username).select_related("institution")
    return actor_for_membership(next(m for m in memberships if role in m.roles))


def _expert_sessions(expert: Expert, desk: Actor) -> None:
    """Two afternoons a week of remote-consultation sessions for the demo expert."""
    practitioner = expert.practitioner
    if Schedule.objects.filter(practitioner=practitioner, purpose=Purpose.CONSULTATION).exists():
        return
    schedule = schedule_create(
        actor=desk,
        name=f"{practitioner.name}远程会诊",
        purpose=Purpose.CONSULTATION,
        department=practitioner.department,
        practitioner=practitioner,
    )
    rules = [
        {"weekday": day, "start_time": "14:00", "end_time": "17:00", "slot_minutes": 30,
         "capacity": 1, "referral_reserved": 0}
        for day in (1, 3)
    ]  # fmt: skip
    schedule_rules_set(actor=desk, schedule=schedule, rules=rules)
    today = timezone.localdate()
    slots_generate(
        actor=desk, schedule=schedule, start_date=today, end_date=today + dt.timedelta(weeks=3)
    )


def _patients_of(actor: Actor) -> list[Patient]:
    ids = CareRelationship.objects.filter(institution_id=actor.institution_id or 0).values(
        "patient_id"
    )
    return list(Patient.objects.filter(pk__in=ids).order_by("pk")[:20])


def _publishing_hospitals(plan: ProvincePlan) -> list[Institution]:
    """Every provincial and municipal hospital publishes slots in the full province; the
    small one keeps to the provincial hospitals and the city hospitals above the counties
    the demo logins work in, so it is seeded in seconds."""
    hospitals = Institution.objects.filter(level__in=("provincial", "municipal"), kind="hospital")
    if plan.scale.name == "full":
        return list(hospitals)
    cities = {f"{county.code[:4]}00" for county in demo_counties(plan)}
    codes = {plan.municipal_hospital[c] for c in cities if c in plan.municipal_hospital}
    return list(hospitals.filter(Q(level="provincial") | Q(code__in=codes)))


def demo_activity_write(plan: ProvincePlan) -> str:
    rng = random.Random(plan.seed)
    hospitals = _publishing_hospitals(plan)
    desks = {h.pk: staff_of(h, Role.REFERRAL_DESK) for h in hospitals}
    schedules = scheduling_demo_seed(
        rng=rng,
        institutions=hospitals,
        actor_for=lambda h: desks[h.pk],
        weeks=3 if plan.scale.name == "full" else 2,
    )
    expert_actor = _actor("expert", Role.EXPERT)
    expert_user = User.objects.select_related("practitioner").get(username="expert")
    expert = Expert.objects.select_related("practitioner__department").get(
        practitioner=expert_user.practitioner
    )
    _expert_sessions(expert, desks[expert.practitioner.institution_id])
    cast = DemoCast(
        requesters=[
            _actor("doctor_county", Role.REQUESTER),
            _actor("doctor_county2", Role.REQUESTER),
            _actor("doctor_township", Role.REQUESTER),
        ],
        qc=_actor("qc", Role.QC),
        coordinator=_actor("coordinator", Role.COORDINATOR),
        experts=[(expert, expert_actor, NEUROLOGY)],
        password=DEMO_PASSWORD,
    )
    made = consultations_demo_seed(rng=rng, cast=cast, patients_of=_patients_of)
    referrals = referrals_demo_seed(rng=rng, senders=cast.requesters, patients_of=_patients_of)
    return _(
        "%(schedules)d schedules, %(consultations)d consultations, %(referrals)d referrals"
    ) % {
        "schedules": len(schedules),
        "consultations": len(made),
        "referrals": len(referrals),
    }
