"""The demo's people who sign in: who they are, where they work, what they may do.

Every password is DEMO_PASSWORD. It is set with set_password() and so skips the complexity
rule that real accounts must pass: acceptable for a synthetic province, never elsewhere."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from xietong.accounts.models import Membership, Role, User
from xietong.directory.models import Department, Expert, Institution, Practitioner

from .plan import ProvincePlan, demo_counties

DEMO_PASSWORD = "xietong-demo"
_UUIDS = uuid.UUID("6f1c3a52-8d0e-4c7b-9a43-3c1de0b2a7f1")

Where = Callable[[ProvincePlan], str]  # the code of an institution in the plan


def _county_a_hospital(plan: ProvincePlan) -> str:
    return plan.county_hospital[demo_counties(plan)[0].code]


def _county_b_hospital(plan: ProvincePlan) -> str:
    return plan.county_hospital[demo_counties(plan)[1].code]


def _county_a_township(plan: ProvincePlan) -> str:
    return plan.township_centre[plan.townships_of[demo_counties(plan)[0].code][0].code]


def _county_a_village(plan: ProvincePlan) -> str:
    township = plan.townships_of[demo_counties(plan)[0].code][0]
    return plan.village_clinic[plan.villages_of[township.code][0].code]


def _county_a_authority(plan: ProvincePlan) -> str:
    return plan.county_authority[demo_counties(plan)[0].code]


def _county_a_imaging_centre(plan: ProvincePlan) -> str:
    """The telemedicine sub-centre of county A's city: what the directory's imaging links
    name first for county A's hospital (a telemedicine centre before a hospital)."""
    return plan.sub_centre[demo_counties(plan)[0].code[:4] + "00"]


def _provincial_hospital(index: int) -> Where:
    return lambda plan: plan.provincial_hospitals[index]


def _centre(plan: ProvincePlan) -> str:
    return plan.provincial_centre


def _authority(plan: ProvincePlan) -> str:
    return plan.province_authority


@dataclass(frozen=True)
class DemoPractice:
    department: str
    title: str
    since: int
    sex: str
    specialties: str = ""
    accepts: tuple[str, ...] | None = None  # an expert profile when given


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    memberships: tuple[tuple[Where, tuple[str, ...]], ...]
    practice: DemoPractice | None = None
    superuser: bool = False
    note: str = field(default="", compare=False)


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("doctor_county", "王建国", ((_county_a_hospital, (Role.REQUESTER,)),),
             DemoPractice("03", "attending", 2012, "M", "常见病、多发病诊治")),
    DemoUser("doctor_county2", "刘红梅", ((_county_b_hospital, (Role.REQUESTER,)),),
             DemoPractice("03", "associate_chief", 2004, "F", "慢性病管理")),
    DemoUser("doctor_township", "赵志强", ((_county_a_township, (Role.REQUESTER,)),),
             DemoPractice("02", "attending", 2014, "M")),
    # The expert also lectures for the telemedicine centre: one person, two memberships.
    DemoUser("expert", "陈思远",
             ((_provincial_hospital(0), (Role.EXPERT,)), (_centre, (Role.LECTURER,))),
             DemoPractice("03.03", "chief", 1995, "M", "脑血管病、癫痫、认知障碍",
                          ("consultation", "referral", "education"))),
    DemoUser("coordinator", "周静", ((_centre, (Role.COORDINATOR,)),)),
    DemoUser("qc", "吴敏", ((_centre, (Role.QC,)),)),
    DemoUser("referral_desk", "孙丽", ((_provincial_hospital(0), (Role.REFERRAL_DESK,)),)),
    DemoUser("supervisor_province", "郑国华", ((_authority, (Role.SUPERVISOR,)),)),
    DemoUser("supervisor_county", "黄志明", ((_county_a_authority, (Role.SUPERVISOR,)),)),
    DemoUser("admin", "平台管理员", ((_centre, (Role.PLATFORM_ADMIN,)),), superuser=True),
    DemoUser("learner", "马晓燕", ((_county_a_village, (Role.LEARNER,)),),
             DemoPractice("02", "resident", 2021, "F")),
    DemoUser("lecturer", "林海", ((_provincial_hospital(1), (Role.LECTURER,)),),
             DemoPractice("03.04", "chief", 1998, "M", "冠心病介入治疗、心力衰竭",
                          ("consultation", "education"))),
    DemoUser("pharmacist", "何芳", ((_county_a_hospital, (Role.PHARMACIST,)),)),
    # The imaging centre that reads county A's studies: a reader and a senior (审核医师).
    DemoUser("reader", "杨帆", ((_county_a_imaging_centre, (Role.EXPERT,)),),
             DemoPractice("32", "attending", 2013, "M", "胸部影像诊断")),
    DemoUser("reader_senior", "许文静", ((_county_a_imaging_centre, (Role.EXPERT,)),),
             DemoPractice("32", "chief", 1996, "F", "神经影像诊断")),
)  # fmt: skip


def demo_users_write(plan: ProvincePlan) -> int:
    """Creates the demo users that are missing (with their practitioner records and
    memberships) and returns how many it created."""
    codes = {where(plan) for user in DEMO_USERS for where, _roles in user.memberships}
    institutions = {i.code: i for i in Institution.objects.filter(code__in=codes)}
    departments = {d.code: d for d in Department.objects.all()}
    created = 0
    with transaction.atomic():
        for spec in DEMO_USERS:
            if User.objects.filter(username=spec.username).exists():
                continue
            home = institutions[spec.memberships[0][0](plan)]
            user = User(
                username=spec.username,
                display_name=spec.display_name,
                is_staff=spec.superuser,
                is_superuser=spec.superuser,
                practitioner=_practitioner(spec, home, departments),
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            for where, roles in spec.memberships:
                Membership.objects.create(
                    user=user, institution=institutions[where(plan)], roles=list(roles)
                )
            created += 1
    return created


def _practitioner(spec: DemoUser, home: Institution,
                  departments: dict[str, Department]) -> Practitioner | None:  # fmt: skip
    practice = spec.practice
    if practice is None:
        return None
    practitioner = Practitioner.objects.create(
        uuid=uuid.uuid5(_UUIDS, spec.username),
        name=spec.display_name,
        sex=practice.sex,
        institution=home,
        department=departments[practice.department],
        title=practice.title,
        practising_since=practice.since,
        specialties=practice.specialties,
    )
    if practice.accepts is not None:
        Expert.objects.create(
            practitioner=practitioner,
            accepts=list(practice.accepts),
            bio=f"{practice.specialties}。",
        )
    return practitioner


@dataclass(frozen=True)
class LoginRow:
    username: str
    role: str
    institution: str


def demo_login_rows() -> list[LoginRow]:
    """One row per membership of every demo user present in the database."""
    order = {spec.username: i for i, spec in enumerate(DEMO_USERS)}
    memberships = (
        Membership.objects.filter(user__username__in=list(order), active=True)
        .select_related("user", "institution")
        .order_by("id")
    )
    rows = sorted(memberships, key=lambda m: (order[m.user.username], m.pk))
    return [LoginRow(m.user.username, " / ".join(m.role_labels), m.institution.name) for m in rows]
