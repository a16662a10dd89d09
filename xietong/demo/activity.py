"""The demo province at work: published slots at the provincial and municipal hospitals, and a
history of consultations and referrals in every state, made through the apps' own services (so
they are audited and notified like anything a person does)."""

from __future__ import annotations

import contextlib
import datetime as dt
import random

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.accounts.actors import actor_for_membership
from xietong.accounts.models import Membership, Role, User
from xietong.consultations.demo import NEUROLOGY, DemoCast
from xietong.consultations.demo_stories import consultations_demo_stories
from xietong.consultations.models import Consultation
from xietong.consultations.selectors import get_consultation_for
from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.directory.models import Expert, Institution
from xietong.patients.models import CareRelationship, Patient
from xietong.referrals.demo import referrals_demo_seed, staff_of
from xietong.scheduling.demo import scheduling_demo_seed
from xietong.scheduling.models import Purpose, Schedule
from xietong.scheduling.services import schedule_create, schedule_rules_set, slots_generate
from xietong.video.meetings import meeting_create
from xietong.video.models import Meeting

from .clock import at_moment, stories_run
from .ehr import ehr_demo_stories
from .imaging import imaging_demo_stories
from .logins import DEMO_PASSWORD
from .plan import ProvincePlan, demo_counties
from .reading import reading_demo_stories


def activity_exists() -> bool:
    return Consultation.objects.exists()


def _actor(username: str, role: str) -> Actor:
    memberships = Membership.objects.filter(user__username=username).select_related("institution")
    return actor_for_membership(next(m for m in memberships if role in m.roles))


# The demo's history starts this many days ago (xietong/demo/clock.py tells it in order).
HISTORY_DAYS = 7


def history_began(now: dt.datetime) -> dt.datetime:
    """08:00 on the first day of the demo's week: when its province, staff and logins were
    entered and the centre's roster published."""
    first = timezone.localtime(now - dt.timedelta(days=HISTORY_DAYS))
    return first.replace(hour=8, minute=0, second=0, microsecond=0)


def _expert_sessions(expert: Expert, desk: Actor) -> None:
    """Remote-consultation sessions for the demo expert every morning and afternoon, the
    centre's duty roster, published a week back so the demo's history can book them."""
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
        {"weekday": day, "start_time": start, "end_time": end, "slot_minutes": 30,
         "capacity": 1, "referral_reserved": 0}
        for day in range(7)
        for start, end in (("08:30", "11:30"), ("14:00", "17:30"))
    ]  # fmt: skip
    schedule_rules_set(actor=desk, schedule=schedule, rules=rules)
    today = timezone.localdate()
    slots_generate(
        actor=desk,
        schedule=schedule,
        start_date=today,
        end_date=today + dt.timedelta(days=HISTORY_DAYS, weeks=3),
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


# Meetings open at the demo's "now": a teaching round for the village doctor and a
# medication discussion with the county hospital's pharmacist (organiser, title, invited).
MEETINGS = (
    (("lecturer", Role.LECTURER), "远程教学查房：急性脑梗死的基层识别与转诊",
     ("learner", "doctor_township", "expert")),
    (("doctor_county", Role.REQUESTER), "房颤患者抗凝治疗用药讨论", ("pharmacist", "expert")),
)  # fmt: skip


def _meetings() -> list[Meeting]:
    made = []
    for (organiser, role), title, invited in MEETINGS:
        keys = list(User.objects.filter(username__in=invited).values_list("uuid", flat=True))
        made.append(meeting_create(actor=_actor(organiser, role), title=title, invitees=keys))
    return made


def _a_look_outside_care() -> None:
    """The township doctor opens a consultation of another county by its address: refused
    (a 404 to them) and recorded, which the supervisors' homes count and their audit log
    shows, as any such attempt would be."""
    elsewhere = (
        Consultation.objects.filter(requesting_user__username="doctor_county2")
        .exclude(status="draft")
        .order_by("pk")
        .first()
    )
    if elsewhere is None:
        return
    with contextlib.suppress(NotFound):
        get_consultation_for(
            actor=_actor("doctor_township", Role.REQUESTER), consultation_uuid=elsewhere.uuid
        )


def demo_activity_write(plan: ProvincePlan) -> str:
    rng = random.Random(plan.seed)
    now = timezone.now()
    hospitals = _publishing_hospitals(plan)
    desks = {h.pk: staff_of(h, Role.REFERRAL_DESK) for h in hospitals}
    expert_actor = _actor("expert", Role.EXPERT)
    expert_user = User.objects.select_related("practitioner").get(username="expert")
    expert = Expert.objects.select_related("practitioner__department").get(
        practitioner=expert_user.practitioner
    )
    # The roster was published when the demo's week began.
    with at_moment(history_began(now) + dt.timedelta(minutes=30)):
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
    made: list[Consultation] = []
    studies = imaging_demo_stories(cast=cast, patients_of=_patients_of, began=history_began(now))
    readings = reading_demo_stories(requester=cast.requesters[0],
                                    reader=_actor("reader", Role.EXPERT),
                                    patients=_patients_of(cast.requesters[0]), now=now)  # fmt: skip
    # County A's hospital pushes two patients' stay through its gateway (ehr.py).
    records = ehr_demo_stories(cast=cast, patients_of=_patients_of, began=history_began(now),
                               admin=_actor("admin", Role.PLATFORM_ADMIN))  # fmt: skip
    stories_run(
        [
            *consultations_demo_stories(
                rng=rng, cast=cast, patients_of=_patients_of, made=made, now=now
            ),
            *studies,
            *readings,
            *records,
        ]
    )
    # The hospitals' slots and the referrals that book them are of today.
    schedules = scheduling_demo_seed(
        rng=rng,
        institutions=hospitals,
        actor_for=lambda h: desks[h.pk],
        weeks=3 if plan.scale.name == "full" else 2,
    )
    referrals = referrals_demo_seed(rng=rng, senders=cast.requesters, patients_of=_patients_of)
    meetings = _meetings()
    _a_look_outside_care()
    return _(
        "%(schedules)d schedules, %(consultations)d consultations, %(studies)d imaging "
        "studies, %(referrals)d referrals, %(meetings)d video meetings"
    ) % {
        "schedules": len(schedules),
        "consultations": len(made),
        "studies": len(studies),
        "referrals": len(referrals),
        "meetings": len(meetings),
    }
