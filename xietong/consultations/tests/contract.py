"""Consultations for the API contract test (tests/api/operations.py): for each path, one in
the state where the caller (the contract world's member, in the role the table gives) can
act on it and be answered 2xx."""

from __future__ import annotations

import uuid
from typing import Any, cast

from xietong.accounts.actors import actor_for_membership
from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import PASSWORD
from xietong.consultations import services as s
from xietong.consultations.models import Consultation
from xietong.directory.models import Department, Expert, Institution, Practitioner
from xietong.directory.tests.factories import (
    CollaborationLinkFactory,
    DepartmentFactory,
    ExpertFactory,
    InstitutionFactory,
    PractitionerFactory,
)
from xietong.patients.tests.factories import make_patient

from .world import COMPLETE, add_consent, expert_slot, make_expert, member

# The state each path needs, and the role of whoever calls it there.
NEEDS: dict[str, tuple[str, str]] = {
    "": ("draft", "requester"),
    "/timeline": ("draft", "requester"),
    "/opinions": ("draft", "requester"),
    "/submit": ("draft", "requester"),
    "/studies": ("draft", "requester"),
    "/cancel": ("draft", "requester"),
    "/resubmit": ("returned", "requester"),
    "/acknowledge": ("opinion_signed", "requester"),
    "/qc-pass": ("submitted", "qc"),
    "/qc-return": ("submitted", "qc"),
    "/triage": ("triage", "coordinator"),
    "/schedule": ("accepted", "coordinator"),
    "/reschedule": ("scheduled", "coordinator"),
    "/accept": ("assigned", "expert"),
    "/decline": ("assigned", "expert"),
    "/start": ("accepted", "expert"),
    "/opinion": ("in_progress", "expert"),
    "/opinion/sign": ("drafted", "expert"),
    "/opinion/correct": ("opinion_signed", "expert"),
}
ORDER = [
    "draft",
    "submitted",
    "returned",
    "triage",
    "assigned",
    "accepted",
    "scheduled",
    "in_progress",
    "drafted",
    "opinion_signed",
]


def _build(membership: Membership, state: str) -> Consultation:
    role = membership.roles[0]
    me = actor_for_membership(membership)
    department = cast(Department, DepartmentFactory())
    if role == "requester":
        county = membership.institution
        requester = me
    else:
        county = cast(Institution, InstitutionFactory(level="county"))
        requester = member(county, "requester")
    centre = (
        membership.institution
        if role in ("qc", "coordinator")
        else cast(Institution, InstitutionFactory(level="provincial", kind="telemedicine_centre"))
    )
    CollaborationLinkFactory(provider=centre, client=county, service="consultation")
    qc = me if role == "qc" else member(centre, "qc")
    coordinator = me if role == "coordinator" else member(centre, "coordinator")
    if role == "expert":
        practitioner = cast(
            Practitioner,
            PractitionerFactory(
                institution=membership.institution, department=department, title="chief"
            ),
        )
        expert = cast(Expert, ExpertFactory(practitioner=practitioner))
        membership.user.practitioner = practitioner
        membership.user.save(update_fields=["practitioner"])
        expert_actor = me
    else:
        hospital = cast(Institution, InstitutionFactory(level="provincial"))
        expert, expert_actor = make_expert(hospital, department)
    patient = make_patient(county)
    add_consent(patient, county, requester.user_id)
    realtime = state == "scheduled" or (state == "accepted" and role == "coordinator")
    c = s.consultation_create(
        actor=requester,
        patient=patient,
        **{
            **COMPLETE,
            "wanted_department": department.code,
            "mode": "realtime" if realtime else "async",
        },
    )
    steps: dict[str, Any] = {
        "submitted": lambda c: s.consultation_submit(actor=requester, consultation=c),
        "returned": lambda c: s.consultation_qc_return(actor=qc, consultation=c, comment="补充"),
        "triage": lambda c: s.consultation_qc_pass(
            actor=qc, consultation=s.consultation_resubmit(actor=requester, consultation=c)
        ),
        "assigned": lambda c: s.consultation_triage_assign(
            actor=coordinator, consultation=c, experts=[expert]
        ),
        "accepted": lambda c: s.consultation_expert_accept(actor=expert_actor, consultation=c),
        "scheduled": lambda c: s.consultation_schedule(
            actor=coordinator, consultation=c, slot=expert_slot(expert)
        ),
        "in_progress": lambda c: s.consultation_start(actor=expert_actor, consultation=c),
        "drafted": lambda c: _drafted(expert_actor, c),
        "opinion_signed": lambda c: _signed(expert_actor, c),
    }
    for name in ORDER[1 : ORDER.index(state) + 1]:
        if name == "scheduled" and not realtime:
            continue
        c = steps[name](c)
    return c


def _drafted(actor: Any, c: Consultation) -> Consultation:
    s.consultation_opinion_draft_save(
        actor=actor, consultation=c, diagnosis="不稳定型心绞痛", recommendations="冠脉造影"
    )
    return c


def _signed(actor: Any, c: Consultation) -> Consultation:
    s.consultation_opinion_sign(actor=actor, consultation=c, password=PASSWORD)
    c.refresh_from_db()
    return c


def contract_consultation(membership: Membership, suffix: str) -> dict[str, Any]:
    state, _role = NEEDS[suffix]
    return {"consultation_uuid": _build(membership, state).uuid}


def contract_expert_uuid() -> uuid.UUID:
    """An expert with an account the coordinator may assign."""
    expert, _actor = make_expert(cast(Institution, InstitutionFactory(level="provincial")))
    return expert.practitioner.uuid


def contract_slot_uuid(membership: Membership) -> uuid.UUID:
    """A free slot of the expert assigned to the contract world's latest consultation."""
    c = Consultation.objects.filter(centre=membership.institution).order_by("-id").first()
    assignment = c.assignments.order_by("-id").first() if c else None
    if assignment is None:
        expert, _actor = make_expert(cast(Institution, InstitutionFactory(level="provincial")))
    else:
        expert = assignment.expert
    return cast(uuid.UUID, expert_slot(expert, in_hours=72).uuid)


CONTRACT_PATHS = list(NEEDS)
_METHODS = {
    "": ("GET", "PATCH"),
    "/timeline": ("GET",),
    "/opinions": ("GET",),
    "/opinion": ("PUT",),
}
CONTRACT_ROLES = {
    f"{method} /api/v1/consultations/{{consultation_uuid}}{suffix}": role
    for suffix, (_state, role) in NEEDS.items()
    if role != "requester"
    for method in _METHODS.get(suffix, ("POST",))
}
CONTRACT_ROLES["GET /api/v1/consultations/board"] = "coordinator"
