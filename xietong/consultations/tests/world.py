"""A small province for consultation tests: a county hospital that asks, the provincial
telemedicine centre that serves it, experts with accounts, and a consenting patient."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.files.uploadedfile import SimpleUploadedFile

from xietong.accounts.actors import actor_for_membership
from xietong.accounts.models import Membership, User
from xietong.accounts.tests.factories import PASSWORD, MembershipFactory, UserFactory
from xietong.consultations.models import Consultation, Kind, Mode
from xietong.consultations.services import (
    consultation_create,
    consultation_expert_accept,
    consultation_qc_pass,
    consultation_start,
    consultation_submit,
    consultation_triage_assign,
)
from xietong.core.actor import Actor
from xietong.directory.models import Department, Expert, Institution
from xietong.directory.tests.factories import (
    CollaborationLinkFactory,
    DepartmentFactory,
    ExpertFactory,
    InstitutionFactory,
    PractitionerFactory,
)
from xietong.patients.models import Consent, Patient
from xietong.patients.tests.factories import make_patient, pdf_bytes


def member(institution: Institution, *roles: str, user: User | None = None) -> Actor:
    kwargs: dict[str, Any] = {"institution": institution, "roles": list(roles)}
    if user is not None:
        kwargs["user"] = user
    return actor_for_membership(cast(Membership, MembershipFactory(**kwargs)))


def make_expert(
    institution: Institution, department: Department | None = None
) -> tuple[Expert, Actor]:
    practitioner = PractitionerFactory(
        institution=institution, department=department or DepartmentFactory(), title="chief"
    )
    expert = cast(Expert, ExpertFactory(practitioner=practitioner))
    user = cast(User, UserFactory(practitioner=practitioner))
    return expert, member(institution, "expert", user=user)


def add_consent(patient: Patient, institution: Institution, user_id: int) -> Consent:
    return Consent.objects.create(
        patient=patient,
        kind="telemedicine",
        signed_on=dt.date.today(),
        signed_by=patient.name,
        institution=institution,
        recorded_by_id=user_id,
        scan=SimpleUploadedFile("consent.pdf", pdf_bytes(), "application/pdf"),
        scan_sha256="0" * 64,
        scan_content_type="application/pdf",
    )


COMPLETE = {
    "reason": "胸痛反复发作3天，诊断不明",
    "purpose": "明确诊断并指导下一步治疗",
    "chief_complaint": "胸痛3天",
    "present_illness": "3天前无诱因出现胸骨后压榨性疼痛",
    "diagnosis_code": "I20.0",
    "diagnosis_text": "不稳定型心绞痛",
    "wanted_title": "chief",
    "preferred_times": ["明天上午"],
}


@dataclass
class World:
    county: Institution
    centre: Institution
    department: Department
    requester: Actor
    qc: Actor
    coordinator: Actor
    expert: Expert
    expert_actor: Actor
    patient: Patient
    hospital: Institution
    others: dict[str, Any] = field(default_factory=dict)

    def draft(self, **overrides: Any) -> Consultation:
        values = {**COMPLETE, "wanted_department": self.department.code, **overrides}
        return consultation_create(actor=self.requester, patient=self.patient, **values)

    def more_expert(self) -> tuple[Expert, Actor]:
        return make_expert(self.hospital, self.department)

    def to(self, state: str, **overrides: Any) -> Consultation:
        """A consultation driven through the services to `state`."""
        from xietong.consultations import services as s

        if state == "returned":
            c = self.to("submitted", **overrides)
            return s.consultation_qc_return(actor=self.qc, consultation=c, comment="缺检查报告")
        if state == "scheduled":
            c = self.to("accepted", mode="realtime", **overrides)
            return s.consultation_schedule(
                actor=self.coordinator, consultation=c, slot=a_slot(self)
            )
        if state == "cancelled":
            c = self.to("triage", **overrides)
            return s.consultation_cancel(actor=self.requester, consultation=c, reason="病情变化")
        if state in ("opinion_signed", "completed"):
            c = self.to("in_progress", **overrides)
            s.consultation_opinion_draft_save(
                actor=self.expert_actor,
                consultation=c,
                diagnosis="不稳定型心绞痛",
                recommendations="冠脉造影",
            )
            s.consultation_opinion_sign(actor=self.expert_actor, consultation=c, password=PASSWORD)
            c.refresh_from_db()
            if state == "completed":
                c = s.consultation_acknowledge(actor=self.requester, consultation=c, rating=4)
            return c
        c = self.draft(**overrides)
        path = ["submitted", "triage", "assigned", "accepted", "in_progress"]
        if state == "draft":
            return c
        steps = {
            "submitted": lambda c: consultation_submit(actor=self.requester, consultation=c),
            "triage": lambda c: consultation_qc_pass(actor=self.qc, consultation=c),
            "assigned": lambda c: consultation_triage_assign(
                actor=self.coordinator, consultation=c, experts=[self.expert]
            ),
            "accepted": lambda c: consultation_expert_accept(
                actor=self.expert_actor, consultation=c
            ),
            "in_progress": lambda c: consultation_start(actor=self.expert_actor, consultation=c),
        }
        for name in path:
            c = steps[name](c)
            if name == state:
                return c
        raise AssertionError(f"no path to {state}")


def make_world(*, consent: bool = True) -> World:
    county = cast(Institution, InstitutionFactory(level="county", name="甲县人民医院"))
    centre = cast(
        Institution,
        InstitutionFactory(level="provincial", kind="telemedicine_centre", name="省远程医学中心"),
    )
    CollaborationLinkFactory(provider=centre, client=county, service="consultation")
    department = cast(Department, DepartmentFactory(code="03.01", name="心血管内科"))
    requester = member(county, "requester")
    # Experts work at a provincial hospital; the centre only triages. So an expert sees the
    # patient through their named grant, not through the centre's care relationship.
    hospital = cast(Institution, InstitutionFactory(level="provincial", name="省人民医院"))
    expert, expert_actor = make_expert(hospital, department)
    patient = make_patient(county)
    if consent:
        add_consent(patient, county, requester.user_id)
    return World(
        county=county,
        centre=centre,
        department=department,
        requester=requester,
        qc=member(centre, "qc"),
        coordinator=member(centre, "coordinator"),
        expert=expert,
        expert_actor=expert_actor,
        patient=patient,
        hospital=hospital,
    )


__all__ = ["Kind", "Mode", "World", "make_world"]


def expert_slot(expert: Expert, *, in_hours: float = 48) -> Any:
    """A free slot of the expert's consultation schedule."""
    from xietong.scheduling.tests.factories import make_schedule, make_slot

    practitioner = expert.practitioner
    schedule = make_schedule(
        practitioner.institution,
        practitioner=practitioner,
        purpose="consultation",
        department=practitioner.department,
        name="远程会诊",
    )
    return make_slot(schedule, in_hours=in_hours)


def a_slot(world: World, *, in_hours: float = 48) -> Any:
    return expert_slot(world.expert, in_hours=in_hours)
