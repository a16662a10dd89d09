"""The reading requests the API contract walk (tests/api) calls each operation on: built
around the walk's signed-in member, in the state and the party the operation needs."""

from __future__ import annotations

from typing import Any, cast

from xietong.accounts.actors import actor_for_membership
from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import PASSWORD, MembershipFactory, UserFactory
from xietong.core.actor import Actor
from xietong.directory.models import Institution, Practitioner
from xietong.directory.tests.factories import (
    CollaborationLinkFactory,
    InstitutionFactory,
    PractitionerFactory,
)
from xietong.imaging.models import Study
from xietong.imaging.reading import reports as rep
from xietong.imaging.reading import services as svc
from xietong.imaging.reading.models import ReadingRequest
from xietong.imaging.services import instances_store
from xietong.imaging.synthetic import Person, dataset_bytes, study_make
from xietong.patients.tests.factories import make_patient


def contract_study(institution: Institution) -> Study:
    """A study of a patient of `institution`, sent by it and linked to the patient."""
    patient = make_patient(institution)
    sender = cast(
        Membership, MembershipFactory(institution=institution, roles=["institution_admin"])
    )
    datasets = study_make(person=Person("MRN-API", patient.name), instances_per_series=1,
                          rows=16, cols=16)  # fmt: skip
    instances_store(actor=actor_for_membership(sender), institution_id=institution.pk,
                    route="stow", items=[dataset_bytes(d) for d in datasets])  # fmt: skip
    study = Study.objects.get(study_instance_uid=datasets[0].StudyInstanceUID)
    Study.objects.filter(pk=study.pk).update(patient=patient)
    study.patient = patient
    return study


def contract_link(client: Institution) -> Institution:
    """An imaging centre serving `client` for imaging reading."""
    centre = cast(Institution, InstitutionFactory(level="provincial"))
    CollaborationLinkFactory(provider=centre, client=client, service="imaging")
    return centre


def _asked_of(centre: Institution) -> ReadingRequest:
    """A request from another hospital to `centre`."""
    hospital = cast(Institution, InstitutionFactory(level="county"))
    CollaborationLinkFactory(provider=centre, client=hospital, service="imaging")
    requester = cast(Membership, MembershipFactory(institution=hospital, roles=["requester"]))
    return svc.reading_create(actor=actor_for_membership(requester),
                              study=contract_study(hospital), urgency="urgent",
                              clinical_question="排除肺部占位")  # fmt: skip


def _asked_by(membership: Membership) -> ReadingRequest:
    contract_link(membership.institution)
    return svc.reading_create(actor=actor_for_membership(membership),
                              study=contract_study(membership.institution), urgency="routine",
                              clinical_question="复查")  # fmt: skip


def _claimed(membership: Membership) -> ReadingRequest:
    r = _asked_of(membership.institution)
    return svc.reading_claim(actor=actor_for_membership(membership), reading=r)


CONTENT = {"technique": "胸部CT平扫", "findings": "右肺上叶见一3 cm肿块",
           "impression": "右肺上叶占位", "advice": "建议穿刺活检"}  # fmt: skip


def _colleague(centre: Institution, title: str) -> Actor:
    practitioner = PractitionerFactory(institution=centre, title=title)
    user = UserFactory(practitioner=practitioner)
    return actor_for_membership(
        cast(Membership, MembershipFactory(user=user, institution=centre, roles=["expert"]))
    )


def _made_senior(membership: Membership) -> None:
    """The member becomes a senior of their centre (a chief physician there)."""
    user = membership.user
    if user.practitioner_id is None:
        chief = PractitionerFactory(institution=membership.institution, title="chief")
        user.practitioner = cast(Practitioner, chief)
        user.save(update_fields=["practitioner"])


def _preliminary_of(membership: Membership) -> ReadingRequest:
    """A preliminary report written by a colleague, for the member (a senior) to review."""
    _made_senior(membership)
    r = _asked_of(membership.institution)
    reader = _colleague(membership.institution, "attending")
    r = svc.reading_claim(actor=reader, reading=r)
    rep.report_preliminary(actor=reader, reading=r, **CONTENT)
    return ReadingRequest.objects.get(pk=r.pk)


def _final_of(membership: Membership) -> ReadingRequest:
    r = _preliminary_of(membership)
    rep.report_sign(actor=_colleague(membership.institution, "chief"), reading=r, password=PASSWORD)
    return ReadingRequest.objects.get(pk=r.pk)


def _critical_for(membership: Membership) -> ReadingRequest:
    """A request of the member's institution whose preliminary report has a critical
    finding, waiting for them to acknowledge it."""
    r = _asked_by(membership)
    reader = _colleague(r.centre, "attending")
    r = svc.reading_claim(actor=reader, reading=r)
    rep.report_preliminary(actor=reader, reading=r, **CONTENT, critical=True)
    return ReadingRequest.objects.get(pk=r.pk)


# path suffix -> (how to build the request, who calls)
NEEDS = {
    "": (_asked_by, "requester"),
    "/claim": (lambda m: _asked_of(m.institution), "expert"),
    "/release": (_claimed, "expert"),
    "/cancel": (_asked_by, "requester"),
    "/reports": (_critical_for, "requester"),
    "/report": (_claimed, "expert"),
    "/preliminary": (_claimed, "expert"),
    "/sign": (_preliminary_of, "expert"),
    "/return": (_preliminary_of, "expert"),
    "/correct": (_final_of, "expert"),
    "/critical-ack": (_critical_for, "requester"),
}
CONTRACT_PATHS = list(NEEDS)


def contract_reading(membership: Membership, suffix: str) -> dict[str, Any]:
    build, _role = NEEDS[suffix]
    return {"reading_uuid": build(membership).uuid}


def contract_worklist(membership: Membership) -> dict[str, Any]:
    """A study waiting at the member's reading centre; the worklist's query (its urgency)."""
    return {"urgency": _asked_of(membership.institution).urgency}


def contract_body_create(membership: Membership) -> dict[str, Any]:
    contract_link(membership.institution)
    study = contract_study(membership.institution)
    return {"study": study.study_instance_uid, "urgency": "urgent",
            "clinical_question": "咳嗽两周，排除肺部占位"}  # fmt: skip


_METHODS = {"": ("GET",), "/reports": ("GET",), "/report": ("PUT",)}
CONTRACT_ROLES = {
    f"{method} /api/v1/imaging/readings/{{reading_uuid}}{suffix}": role
    for suffix, (_build, role) in NEEDS.items()
    if role != "requester"
    for method in _METHODS.get(suffix, ("POST",))
}
CONTRACT_ROLES["GET /api/v1/imaging/worklist"] = "expert"

# The bodies of the operations that take one.
CONTRACT_BODIES: dict[str, dict[str, Any]] = {
    "POST /api/v1/imaging/readings/{reading_uuid}/release": {"reason": "需要上级医生阅片"},
    "POST /api/v1/imaging/readings/{reading_uuid}/cancel": {"reason": "患者已转院"},
    "PUT /api/v1/imaging/readings/{reading_uuid}/report": {"findings": "右肺上叶肿块"},
    "POST /api/v1/imaging/readings/{reading_uuid}/preliminary": CONTENT,
    "POST /api/v1/imaging/readings/{reading_uuid}/sign": {"password": PASSWORD},
    "POST /api/v1/imaging/readings/{reading_uuid}/return": {"reason": "请补充纵隔淋巴结描述"},
    "POST /api/v1/imaging/readings/{reading_uuid}/correct": {
        "reason": "建议有误",
        "password": PASSWORD,
        "advice": "建议PET-CT",
    },
}


def contract_signed_for(membership: Membership) -> ReadingRequest:
    """A request of the member's institution with its final report signed (version 1)."""
    r = _critical_for(membership)
    rep.report_sign(actor=_colleague(r.centre, "chief"), reading=r, password=PASSWORD)
    return ReadingRequest.objects.get(pk=r.pk)
