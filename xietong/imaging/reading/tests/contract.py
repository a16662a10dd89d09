"""The reading requests the API contract walk (tests/api) calls each operation on: built
around the walk's signed-in member, in the state and the party the operation needs."""

from __future__ import annotations

from typing import Any, cast

from xietong.accounts.actors import actor_for_membership
from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import MembershipFactory
from xietong.directory.models import Institution
from xietong.directory.tests.factories import CollaborationLinkFactory, InstitutionFactory
from xietong.imaging.models import Study
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


# path suffix -> (how to build the request, who calls)
NEEDS = {
    "": (_asked_by, "requester"),
    "/claim": (lambda m: _asked_of(m.institution), "expert"),
    "/release": (_claimed, "expert"),
    "/cancel": (_asked_by, "requester"),
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


CONTRACT_ROLES = {
    "GET /api/v1/imaging/worklist": "expert",
    "POST /api/v1/imaging/readings/{reading_uuid}/claim": "expert",
    "POST /api/v1/imaging/readings/{reading_uuid}/release": "expert",
}
